package dev.lattice.identity.store;

import static dev.lattice.identity.store.jooq.Tables.REFRESH_TOKENS;

import dev.lattice.identity.store.jooq.tables.records.RefreshTokensRecord;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The {@code refresh_tokens} table: sign-in and rotation write it, account changes revoke a user's
 * tokens, housekeeping deletes dead families. Tokens are found by their SHA-256 only. Every method
 * runs on the {@code ctx} the caller passes. Stateless and thread-safe.
 */
public final class RefreshTokenStore {

  private RefreshTokenStore() {}

  /** A new token of a family ({@code parentId} null for the first one). */
  public record NewToken(
      UUID id,
      UUID tenantId,
      UUID userId,
      UUID familyId,
      UUID parentId,
      byte[] tokenHash,
      OffsetDateTime issueTime,
      OffsetDateTime expireTime,
      OffsetDateTime idleExpireTime,
      String clientAddress,
      String userAgent) {}

  /** Inserts {@code token}; an empty user agent is stored as none. */
  public static void insert(DSLContext tx, NewToken token) {
    tx.insertInto(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.ID, token.id())
        .set(REFRESH_TOKENS.TENANT_ID, token.tenantId())
        .set(REFRESH_TOKENS.USER_ID, token.userId())
        .set(REFRESH_TOKENS.FAMILY_ID, token.familyId())
        .set(REFRESH_TOKENS.PARENT_ID, token.parentId())
        .set(REFRESH_TOKENS.TOKEN_HASH, token.tokenHash())
        .set(REFRESH_TOKENS.ISSUE_TIME, token.issueTime())
        .set(REFRESH_TOKENS.EXPIRE_TIME, token.expireTime())
        .set(REFRESH_TOKENS.IDLE_EXPIRE_TIME, token.idleExpireTime())
        .set(REFRESH_TOKENS.CLIENT_ADDRESS, token.clientAddress())
        .set(REFRESH_TOKENS.USER_AGENT, token.userAgent().isEmpty() ? null : token.userAgent())
        .execute();
  }

  /** The token with {@code tokenHash}, locked FOR UPDATE, if there is one. */
  public static Optional<StoredRefreshToken> lockByHash(DSLContext tx, byte[] tokenHash) {
    return tx.selectFrom(REFRESH_TOKENS)
        .where(REFRESH_TOKENS.TOKEN_HASH.eq(tokenHash))
        .forUpdate()
        .fetchOptional()
        .map(RefreshTokenStore::toStored);
  }

  /** The family of the token with {@code tokenHash} when it belongs to {@code userId}. */
  public static Optional<UUID> findFamilyOfUser(DSLContext ctx, byte[] tokenHash, UUID userId) {
    return ctx.select(REFRESH_TOKENS.FAMILY_ID)
        .from(REFRESH_TOKENS)
        .where(REFRESH_TOKENS.TOKEN_HASH.eq(tokenHash))
        .and(REFRESH_TOKENS.USER_ID.eq(userId))
        .fetchOptional(REFRESH_TOKENS.FAMILY_ID);
  }

  /** Marks token {@code id} spent at {@code at}. */
  public static void markUsed(DSLContext tx, UUID id, OffsetDateTime at) {
    tx.update(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.USE_TIME, at)
        .where(REFRESH_TOKENS.ID.eq(id))
        .execute();
  }

  /** Revokes the live tokens of a family; returns how many. */
  public static int revokeFamily(DSLContext tx, UUID familyId, OffsetDateTime at, String reason) {
    return tx.update(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.REVOKE_TIME, at)
        .set(REFRESH_TOKENS.REVOKE_REASON, reason)
        .where(REFRESH_TOKENS.FAMILY_ID.eq(familyId))
        .and(REFRESH_TOKENS.REVOKE_TIME.isNull())
        .execute();
  }

  /** Revokes every live token of a user except those of {@code keepFamily}; returns how many. */
  public static int revokeUser(
      DSLContext tx, UUID userId, Optional<UUID> keepFamily, OffsetDateTime at, String reason) {
    var condition = REFRESH_TOKENS.USER_ID.eq(userId).and(REFRESH_TOKENS.REVOKE_TIME.isNull());
    if (keepFamily.isPresent()) {
      condition = condition.and(REFRESH_TOKENS.FAMILY_ID.ne(keepFamily.get()));
    }
    return tx.update(REFRESH_TOKENS)
        .set(REFRESH_TOKENS.REVOKE_TIME, at)
        .set(REFRESH_TOKENS.REVOKE_REASON, reason)
        .where(condition)
        .execute();
  }

  /**
   * Deletes up to {@code batch} whole families none of whose tokens expired or was revoked at or
   * after {@code cutoff} (parent_id references stay satisfied at the statement's end); returns how
   * many tokens.
   */
  public static int deleteDeadFamilies(DSLContext ctx, OffsetDateTime cutoff, int batch) {
    return ctx.deleteFrom(REFRESH_TOKENS)
        .where(
            REFRESH_TOKENS.FAMILY_ID.in(
                DSL.select(REFRESH_TOKENS.FAMILY_ID)
                    .from(REFRESH_TOKENS)
                    .groupBy(REFRESH_TOKENS.FAMILY_ID)
                    .having(
                        DSL.boolAnd(
                            REFRESH_TOKENS
                                .EXPIRE_TIME
                                .lt(cutoff)
                                .or(REFRESH_TOKENS.REVOKE_TIME.lt(cutoff))))
                    .limit(batch)))
        .execute();
  }

  private static StoredRefreshToken toStored(RefreshTokensRecord row) {
    return new StoredRefreshToken(
        row.getId(),
        row.getTenantId(),
        row.getUserId(),
        row.getFamilyId(),
        row.getExpireTime(),
        row.getIdleExpireTime(),
        row.getUseTime(),
        row.getRevokeTime());
  }
}
