package dev.lattice.identity.accounts;

import static dev.lattice.identity.store.jooq.Tables.ONE_TIME_TOKENS;

import dev.lattice.identity.store.jooq.tables.records.OneTimeTokensRecord;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The {@code one_time_tokens} table: email verification, password reset and account setup tokens,
 * found by their SHA-256 only. Every method runs on the {@code ctx} the caller passes. Stateless
 * and thread-safe.
 */
public final class OneTimeTokenStore {

  private OneTimeTokenStore() {}

  /** Revokes the user's open (unused, unrevoked) token of {@code purpose}. */
  static void revokeOpen(DSLContext tx, UUID userId, String purpose, OffsetDateTime at) {
    tx.update(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.REVOKE_TIME, at)
        .where(ONE_TIME_TOKENS.USER_ID.eq(userId))
        .and(ONE_TIME_TOKENS.PURPOSE.eq(purpose))
        .and(ONE_TIME_TOKENS.USE_TIME.isNull())
        .and(ONE_TIME_TOKENS.REVOKE_TIME.isNull())
        .execute();
  }

  /** Revokes every open token of the user, whatever its purpose. */
  static void revokeAllOpen(DSLContext tx, UUID userId, OffsetDateTime at) {
    tx.update(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.REVOKE_TIME, at)
        .where(ONE_TIME_TOKENS.USER_ID.eq(userId))
        .and(ONE_TIME_TOKENS.USE_TIME.isNull())
        .and(ONE_TIME_TOKENS.REVOKE_TIME.isNull())
        .execute();
  }

  /** Inserts an open token. */
  static void insert(
      DSLContext tx,
      UUID id,
      UUID tenantId,
      UUID userId,
      String purpose,
      byte[] tokenHash,
      OffsetDateTime createTime,
      OffsetDateTime expireTime) {
    tx.insertInto(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.ID, id)
        .set(ONE_TIME_TOKENS.TENANT_ID, tenantId)
        .set(ONE_TIME_TOKENS.USER_ID, userId)
        .set(ONE_TIME_TOKENS.PURPOSE, purpose)
        .set(ONE_TIME_TOKENS.TOKEN_HASH, tokenHash)
        .set(ONE_TIME_TOKENS.CREATE_TIME, createTime)
        .set(ONE_TIME_TOKENS.EXPIRE_TIME, expireTime)
        .execute();
  }

  /** The token with {@code tokenHash}, locked FOR UPDATE, if there is one. */
  static Optional<StoredOneTimeToken> lockByHash(DSLContext tx, byte[] tokenHash) {
    return tx.selectFrom(ONE_TIME_TOKENS)
        .where(ONE_TIME_TOKENS.TOKEN_HASH.eq(tokenHash))
        .forUpdate()
        .fetchOptional()
        .map(OneTimeTokenStore::toStored);
  }

  /** Marks token {@code id} used at {@code at}. */
  static void markUsed(DSLContext tx, UUID id, OffsetDateTime at) {
    tx.update(ONE_TIME_TOKENS)
        .set(ONE_TIME_TOKENS.USE_TIME, at)
        .where(ONE_TIME_TOKENS.ID.eq(id))
        .execute();
  }

  /** Deletes up to {@code batch} tokens that expired before {@code cutoff}; returns how many. */
  public static int deleteExpired(DSLContext ctx, OffsetDateTime cutoff, int batch) {
    return ctx.deleteFrom(ONE_TIME_TOKENS)
        .where(
            ONE_TIME_TOKENS.ID.in(
                DSL.select(ONE_TIME_TOKENS.ID)
                    .from(ONE_TIME_TOKENS)
                    .where(ONE_TIME_TOKENS.EXPIRE_TIME.lt(cutoff))
                    .limit(batch)))
        .execute();
  }

  private static StoredOneTimeToken toStored(OneTimeTokensRecord row) {
    return new StoredOneTimeToken(
        row.getId(),
        row.getTenantId(),
        row.getUserId(),
        row.getPurpose(),
        row.getExpireTime(),
        row.getUseTime(),
        row.getRevokeTime());
  }
}
