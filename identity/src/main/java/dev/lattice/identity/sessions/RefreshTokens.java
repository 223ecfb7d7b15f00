package dev.lattice.identity.sessions;

import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Rotating refresh tokens, grouped in families (one per sign-in). Stored as SHA-256; a token lives
 * 7 days idle and never past its family's absolute expiry (30 days after sign-in). Its SQL is in
 * {@link RefreshTokenStore}. Thread-safe.
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
      DSLContext tx,
      UUID tenantId,
      UUID userId,
      Instant now,
      String clientAddress,
      String userAgent) {
    UUID familyId = ids.next();
    return insert(
        tx, tenantId, userId, familyId, null, now, now.plus(absoluteTtl), clientAddress, userAgent);
  }

  /** Issues the child of a spent token in its family, keeping the family's absolute expiry. */
  public Issued child(
      DSLContext tx,
      UUID tenantId,
      UUID userId,
      UUID familyId,
      UUID parentId,
      Instant now,
      Instant familyExpire,
      String clientAddress,
      String userAgent) {
    return insert(
        tx, tenantId, userId, familyId, parentId, now, familyExpire, clientAddress, userAgent);
  }

  /** Revokes a family; returns how many live tokens it had. */
  public int revokeFamily(DSLContext tx, UUID familyId, Instant now, String reason) {
    return RefreshTokenStore.revokeFamily(tx, familyId, Times.utc(now), reason);
  }

  /** Revokes every live token of a user except those of {@code keepFamily}. */
  public int revokeUser(
      DSLContext tx, UUID userId, Optional<UUID> keepFamily, Instant now, String reason) {
    return RefreshTokenStore.revokeUser(tx, userId, keepFamily, Times.utc(now), reason);
  }

  private Issued insert(
      DSLContext tx,
      UUID tenantId,
      UUID userId,
      UUID familyId,
      UUID parentId,
      Instant now,
      Instant familyExpire,
      String clientAddress,
      String userAgent) {
    String raw = OpaqueTokens.generate();
    Instant idle = now.plus(idleTtl);
    if (idle.isAfter(familyExpire)) {
      idle = familyExpire;
    }
    RefreshTokenStore.insert(
        tx,
        new RefreshTokenStore.NewToken(
            ids.next(),
            tenantId,
            userId,
            familyId,
            parentId,
            OpaqueTokens.hash(raw),
            Times.utc(now),
            Times.utc(familyExpire),
            Times.utc(idle),
            clientAddress,
            userAgent));
    return new Issued(raw, familyId, familyExpire);
  }
}
