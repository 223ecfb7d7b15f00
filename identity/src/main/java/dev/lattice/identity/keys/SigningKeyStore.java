package dev.lattice.identity.keys;

import static dev.lattice.identity.store.jooq.Tables.SIGNING_KEYS;

import com.nimbusds.jose.jwk.ECKey;
import dev.lattice.identity.keys.SigningKeys.StoredKey;
import dev.lattice.identity.store.jooq.tables.records.SigningKeysRecord;
import java.text.ParseException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * The {@code signing_keys} table: published keys as {@link StoredKey}s, new keys, retirement, and
 * the encrypted private parts. Every method runs on the {@code ctx} the caller passes. Stateless
 * and thread-safe.
 */
final class SigningKeyStore {

  /** Serializes key creation across replicas (pg_advisory_xact_lock). */
  private static final long ROTATION_LOCK = 0x4c41545449434b31L;

  private SigningKeyStore() {}

  /** Takes the rotation lock until the end of {@code tx}. */
  static void lockRotation(DSLContext tx) {
    tx.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(ROTATION_LOCK))).fetch();
  }

  /** The keys neither retired nor revoked at {@code now}. */
  static List<StoredKey> findPublished(DSLContext ctx, OffsetDateTime now) {
    return ctx.selectFrom(SIGNING_KEYS)
        .where(SIGNING_KEYS.RETIRE_TIME.isNull().or(SIGNING_KEYS.RETIRE_TIME.gt(now)))
        .and(SIGNING_KEYS.REVOKE_TIME.isNull())
        .fetch()
        .map(SigningKeyStore::toStored);
  }

  /** Inserts a key: its public JWK and its private JWK encrypted. */
  static void insert(
      DSLContext tx,
      UUID id,
      String kid,
      String algorithm,
      String publicJwk,
      byte[] privateKeyEncrypted,
      OffsetDateTime createTime,
      OffsetDateTime activateTime) {
    tx.insertInto(SIGNING_KEYS)
        .set(SIGNING_KEYS.ID, id)
        .set(SIGNING_KEYS.KID, kid)
        .set(SIGNING_KEYS.ALGORITHM, algorithm)
        .set(SIGNING_KEYS.PUBLIC_JWK, JSONB.valueOf(publicJwk))
        .set(SIGNING_KEYS.PRIVATE_KEY_ENCRYPTED, privateKeyEncrypted)
        .set(SIGNING_KEYS.CREATE_TIME, createTime)
        .set(SIGNING_KEYS.ACTIVATE_TIME, activateTime)
        .execute();
  }

  /** Retires and revokes at {@code at} every key but {@code kid} still published then. */
  static void revokeAllBut(DSLContext tx, String kid, OffsetDateTime at) {
    tx.update(SIGNING_KEYS)
        .set(SIGNING_KEYS.RETIRE_TIME, at)
        .set(SIGNING_KEYS.REVOKE_TIME, at)
        .where(SIGNING_KEYS.KID.ne(kid))
        .and(SIGNING_KEYS.RETIRE_TIME.isNull().or(SIGNING_KEYS.RETIRE_TIME.gt(at)))
        .execute();
  }

  /** Sets when key {@code kid} leaves the JWKS. */
  static void retire(DSLContext tx, String kid, OffsetDateTime retireTime) {
    tx.update(SIGNING_KEYS)
        .set(SIGNING_KEYS.RETIRE_TIME, retireTime)
        .where(SIGNING_KEYS.KID.eq(kid))
        .execute();
  }

  /** The encrypted private part of key {@code kid}. */
  static byte[] findPrivateKeyEncrypted(DSLContext ctx, String kid) {
    return ctx.select(SIGNING_KEYS.PRIVATE_KEY_ENCRYPTED)
        .from(SIGNING_KEYS)
        .where(SIGNING_KEYS.KID.eq(kid))
        .fetchSingle()
        .value1();
  }

  private static StoredKey toStored(SigningKeysRecord row) {
    try {
      return new StoredKey(
          row.getKid(),
          ECKey.parse(row.getPublicJwk().data()),
          row.getActivateTime().toInstant(),
          Optional.ofNullable(row.getRetireTime()).map(OffsetDateTime::toInstant));
    } catch (ParseException e) {
      throw new IllegalStateException(
          "signing key " + row.getKid() + " has an unreadable public JWK", e);
    }
  }
}
