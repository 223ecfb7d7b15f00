package dev.lattice.identity.sessions;

import static dev.lattice.identity.store.jooq.Tables.REFRESH_TOKENS;

import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Rotating refresh tokens, grouped in families (one per sign-in). Stored as SHA-256; a token
 * lives 7 days idle and never past its family's absolute expiry (30 days after sign-in).
 */
public final class RefreshTokens {

  private final UuidV7Generator ids;
  private final Duration absoluteTtl;
  private final Duration idleTtl;

  public RefreshTokens(UuidV7Generator ids, Duration absoluteTtl, Duration idleTtl) {
    this.ids = ids;
    this.absoluteTtl = absoluteTtl;
    this.idleTtl = idleTtl;
  }

  /** A raw refresh token, its family and when it expires. */
  public record Issued(String raw, UUID familyId, Instant expireTime) {
    @Override
    public String toString() {
      return "Issued[raw=<redacted>, familyId=" + familyId + ", expireTime=" + expireTime + "]";
    }
  }

  /** Starts a family (sign-in). */
  public Issued startFamily(
      DSLContext tx, UUID tenantId, UUID userId, Instant now, String clientAddress, String userAgent) {
    UUID familyId = ids.next();
    return insert(tx, tenantId, userId, familyId, null, now, now.plus(absoluteTtl), clientAddress, userAgent);
  }

  /** Issues the child of a spent token in its family, keeping the family's absolute expiry. */
  public Issued child(
      DSLContext tx, UUID tenantId, UUID userId, UUID familyId, UUID parentId, Instant now,
      Instant familyExpire, String clientAddress, String userAgent) {
    return insert(tx, tenantId, userId, familyId, parentId, now, familyExpire, clientAddress, userAgent);
  }

  /** Revokes a family; returns how many live tokens it had. */
  public int revokeFamily(DSLContext tx, UUID familyId, Instant now, String reason) {
    return tx.update(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.REVOKE_TIME, utc(now))
        .set(REFRESH_TOKENS.REVOKE_REASON, reason)
        .where(REFRESH_TOKENS.FAMILY_ID.eq(familyId))
        .and(REFRESH_TOKENS.REVOKE_TIME.isNull())
        .execute();
  }

  /** Revokes every live token of a user except those of {@code keepFamily}. */
  public int revokeUser(DSLContext tx, UUID userId, Optional<UUID> keepFamily, Instant now, String reason) {
    var condition = REFRESH_TOKENS.USER_ID.eq(userId).and(REFRESH_TOKENS.REVOKE_TIME.isNull());
    if (keepFamily.isPresent()) {
      condition = condition.and(REFRESH_TOKENS.FAMILY_ID.ne(keepFamily.get()));
    }
    return tx.update(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.REVOKE_TIME, utc(now))
        .set(REFRESH_TOKENS.REVOKE_REASON, reason)
        .where(condition)
        .execute();
  }

  private Issued insert(
      DSLContext tx, UUID tenantId, UUID userId, UUID familyId, UUID parentId, Instant now,
      Instant familyExpire, String clientAddress, String userAgent) {
    String raw = OpaqueTokens.generate();
    Instant idle = now.plus(idleTtl);
    if (idle.isAfter(familyExpire)) {
      idle = familyExpire;
    }
    tx.insertInto(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.ID, ids.next())
        .set(REFRESH_TOKENS.TENANT_ID, tenantId)
        .set(REFRESH_TOKENS.USER_ID, userId)
        .set(REFRESH_TOKENS.FAMILY_ID, familyId)
        .set(REFRESH_TOKENS.PARENT_ID, parentId)
        .set(REFRESH_TOKENS.TOKEN_HASH, OpaqueTokens.hash(raw))
        .set(REFRESH_TOKENS.ISSUE_TIME, utc(now))
        .set(REFRESH_TOKENS.EXPIRE_TIME, utc(familyExpire))
        .set(REFRESH_TOKENS.IDLE_EXPIRE_TIME, utc(idle))
        .set(REFRESH_TOKENS.CLIENT_ADDRESS, clientAddress)
        .set(REFRESH_TOKENS.USER_AGENT, userAgent.isEmpty() ? null : userAgent)
        .execute();
    return new Issued(raw, familyId, familyExpire);
  }

  static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
