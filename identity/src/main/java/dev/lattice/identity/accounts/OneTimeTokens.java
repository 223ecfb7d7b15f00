package dev.lattice.identity.accounts;

import dev.lattice.identity.shared.Times;
import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.platform.db.TenantScope;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Single-use email verification, password reset and account setup tokens: only their SHA-256 is
 * stored; issuing one revokes the user's earlier open token of the same purpose. Its SQL is in
 * {@link OneTimeTokenStore}. Thread-safe.
 */
final class OneTimeTokens {

  static final String VERIFY_EMAIL = "VERIFY_EMAIL";
  static final String RESET_PASSWORD = "RESET_PASSWORD";
  static final String ACCOUNT_SETUP = "ACCOUNT_SETUP";

  static final String TOKEN_INVALID = "TOKEN_INVALID";
  static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";

  private final UuidV7Generator ids;

  OneTimeTokens(UuidV7Generator ids) {
    this.ids = ids;
  }

  /** A raw token and when it expires. */
  record Issued(String raw, Instant expireTime) {}

  /** Issues a token, revoking the user's open one of the same purpose. */
  Issued issue(
      DSLContext tx, UUID tenantId, UUID userId, String purpose, Instant now, Duration ttl) {
    OffsetDateTime at = Times.utc(now);
    OneTimeTokenStore.revokeOpen(tx, userId, purpose, at);
    String raw = OpaqueTokens.generate();
    Instant expire = now.plus(ttl);
    OneTimeTokenStore.insert(
        tx, ids.next(), tenantId, userId, purpose, OpaqueTokens.hash(raw), at, Times.utc(expire));
    return new Issued(raw, expire);
  }

  /**
   * Spends the token {@code raw} of one of {@code purposes}: locks it, checks it is open and
   * unexpired, marks it used. The token alone names its user, so {@code tx} must run across tenants
   * to find it by its hash ({@code Transactions.acrossTenants}, decision 0018); once it is found,
   * the rest of {@code tx} works as the token's tenant.
   *
   * @throws FailedPreconditionException TOKEN_INVALID (unknown, used, superseded, other purpose) or
   *     TOKEN_EXPIRED
   */
  StoredOneTimeToken spend(DSLContext tx, String raw, Set<String> purposes, Instant now) {
    StoredOneTimeToken token =
        OneTimeTokenStore.lockByHash(tx, OpaqueTokens.hash(raw))
            .filter(t -> purposes.contains(t.purpose()))
            .filter(t -> t.useTime() == null && t.revokeTime() == null)
            .orElseThrow(
                () -> new FailedPreconditionException(TOKEN_INVALID, "the token is not valid"));
    if (!token.expireTime().toInstant().isAfter(now)) {
      throw new FailedPreconditionException(TOKEN_EXPIRED, "the token has expired");
    }
    TenantScope.enter(tx, token.tenantId());
    OneTimeTokenStore.markUsed(tx, token.id(), Times.utc(now));
    return token;
  }

  /** Revokes every open token of the user (deletion). */
  void revokeAll(DSLContext tx, UUID userId, Instant now) {
    OneTimeTokenStore.revokeAllOpen(tx, userId, Times.utc(now));
  }
}
