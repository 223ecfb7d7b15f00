package dev.lattice.identity.accounts;

import static dev.lattice.identity.store.jooq.Tables.ONE_TIME_TOKENS;

import dev.lattice.identity.store.jooq.tables.records.OneTimeTokensRecord;
import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Single-use email verification, password reset and account setup tokens: only their SHA-256
 * is stored; issuing one revokes the user's earlier open token of the same purpose.
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
  Issued issue(DSLContext tx, UUID tenantId, UUID userId, String purpose, Instant now, Duration ttl) {
    OffsetDateTime at = utc(now);
    tx.update(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.REVOKE_TIME, at)
        .where(ONE_TIME_TOKENS.USER_ID.eq(userId))
        .and(ONE_TIME_TOKENS.PURPOSE.eq(purpose))
        .and(ONE_TIME_TOKENS.USE_TIME.isNull())
        .and(ONE_TIME_TOKENS.REVOKE_TIME.isNull())
        .execute();
    String raw = OpaqueTokens.generate();
    Instant expire = now.plus(ttl);
    tx.insertInto(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.ID, ids.next())
        .set(ONE_TIME_TOKENS.TENANT_ID, tenantId)
        .set(ONE_TIME_TOKENS.USER_ID, userId)
        .set(ONE_TIME_TOKENS.PURPOSE, purpose)
        .set(ONE_TIME_TOKENS.TOKEN_HASH, OpaqueTokens.hash(raw))
        .set(ONE_TIME_TOKENS.CREATE_TIME, at)
        .set(ONE_TIME_TOKENS.EXPIRE_TIME, utc(expire))
        .execute();
    return new Issued(raw, expire);
  }

  /**
   * Spends the token {@code raw} of one of {@code purposes}: locks it, checks it is open and
   * unexpired, marks it used.
   *
   * @throws FailedPreconditionException TOKEN_INVALID (unknown, used, superseded, other purpose)
   *     or TOKEN_EXPIRED
   */
  OneTimeTokensRecord spend(DSLContext tx, String raw, Set<String> purposes, Instant now) {
    OneTimeTokensRecord token =
        tx.selectFrom(ONE_TIME_TOKENS)
            .where(ONE_TIME_TOKENS.TOKEN_HASH.eq(OpaqueTokens.hash(raw)))
            .forUpdate()
            .fetchOptional()
            .filter(t -> purposes.contains(t.getPurpose()))
            .filter(t -> t.getUseTime() == null && t.getRevokeTime() == null)
            .orElseThrow(() -> new FailedPreconditionException(TOKEN_INVALID, "the token is not valid"));
    if (!token.getExpireTime().toInstant().isAfter(now)) {
      throw new FailedPreconditionException(TOKEN_EXPIRED, "the token has expired");
    }
    token.setUseTime(utc(now));
    token.update(ONE_TIME_TOKENS.USE_TIME);
    return token;
  }

  /** Revokes every open token of the user (deletion). */
  void revokeAll(DSLContext tx, UUID userId, Instant now) {
    tx.update(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.REVOKE_TIME, utc(now))
        .where(ONE_TIME_TOKENS.USER_ID.eq(userId))
        .and(ONE_TIME_TOKENS.USE_TIME.isNull())
        .and(ONE_TIME_TOKENS.REVOKE_TIME.isNull())
        .execute();
  }

  static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
