package dev.lattice.platform.idempotency;

import static dev.lattice.platform.idempotency.IdempotencyTable.CALLER;
import static dev.lattice.platform.idempotency.IdempotencyTable.CLAIM_TOKEN;
import static dev.lattice.platform.idempotency.IdempotencyTable.COMPLETED;
import static dev.lattice.platform.idempotency.IdempotencyTable.COMPLETE_TIME;
import static dev.lattice.platform.idempotency.IdempotencyTable.CREATE_TIME;
import static dev.lattice.platform.idempotency.IdempotencyTable.EXPIRE_TIME;
import static dev.lattice.platform.idempotency.IdempotencyTable.IDEMPOTENCY_KEY;
import static dev.lattice.platform.idempotency.IdempotencyTable.IN_PROGRESS;
import static dev.lattice.platform.idempotency.IdempotencyTable.KEYS;
import static dev.lattice.platform.idempotency.IdempotencyTable.LEASE_UNTIL;
import static dev.lattice.platform.idempotency.IdempotencyTable.METHOD;
import static dev.lattice.platform.idempotency.IdempotencyTable.REQUEST_HASH;
import static dev.lattice.platform.idempotency.IdempotencyTable.RESPONSE;
import static dev.lattice.platform.idempotency.IdempotencyTable.STATE;
import static dev.lattice.platform.idempotency.IdempotencyTable.TENANT_ID;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code idempotency_keys} table: claims keys, stores results, releases and purges them.
 *
 * <p>Every time comparison uses the database's clock ({@code now()}), so replicas with skewed
 * clocks agree on leases and expiry. A key is kept {@value #RETENTION_HOURS} h from its first use;
 * after that it is treated as unused, and {@link #purgeExpired()} deletes it. Thread-safe.
 */
public final class IdempotencyStore {

  /** How long a claim protects a running call before a retry may take the key over. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** How long a key is remembered from its first use, hours. */
  public static final int RETENTION_HOURS = 24;

  private static final int PURGE_BATCH = 1_000;
  private static final int MAX_CLAIM_ROUNDS = 5;
  private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);

  private final DSLContext dsl;
  private final Duration lease;

  /** A store over the service database {@code dsl}, with the {@linkplain #DEFAULT_LEASE lease}. */
  public IdempotencyStore(DSLContext dsl) {
    this(dsl, DEFAULT_LEASE);
  }

  /**
   * A store over the service database {@code dsl}.
   *
   * @param lease how long a claim protects a running call; calls must finish well within it
   */
  public IdempotencyStore(DSLContext dsl, Duration lease) {
    this.dsl = Objects.requireNonNull(dsl, "dsl");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive: " + lease);
    }
    this.lease = lease;
  }

  /**
   * Deletes every key older than {@value #RETENTION_HOURS} h (past its {@code expire_time}), in
   * batches of {@value #PURGE_BATCH} rows so no transaction grows large. {@link IdempotencyPurger}
   * runs it hourly in every service; several replicas may run it at once.
   *
   * @return the number of keys deleted
   */
  public int purgeExpired() {
    int total = 0;
    while (true) {
      int deleted =
          dsl.execute(
              "delete from idempotency_keys where ctid = any(array("
                  + "select ctid from idempotency_keys where expire_time < now() limit ?))",
              PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) {
        return total;
      }
    }
  }

  /**
   * Claims {@code scope} for a call with request fingerprint {@code requestHash}, each step in its
   * own short transaction: a new key is inserted {@code IN_PROGRESS}; an existing one is replayed,
   * refused, or taken over when its owner's lease ran out.
   */
  Outcome claim(Scope scope, byte[] requestHash) {
    for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      UUID token = UUID.randomUUID();
      if (insertClaim(scope, requestHash, token)) {
        return new Outcome.Claimed(token);
      }
      Field<Boolean> leaseOver =
          DSL.field(LEASE_UNTIL.lt(DSL.currentOffsetDateTime())).as("lease_over");
      Field<Boolean> expired = DSL.field(EXPIRE_TIME.lt(DSL.currentOffsetDateTime())).as("expired");
      Record existing =
          dsl.select(REQUEST_HASH, STATE, RESPONSE, leaseOver, expired)
              .from(KEYS)
              .where(is(scope))
              .fetchOne();
      if (existing == null) {
        continue; // released between our insert and our look-up: try again
      }
      if (existing.get(expired)) {
        // Older than the retention: forgotten, even if the purge has not run yet.
        dsl.deleteFrom(KEYS)
            .where(is(scope))
            .and(EXPIRE_TIME.lt(DSL.currentOffsetDateTime()))
            .execute();
        continue;
      }
      if (!Arrays.equals(existing.get(REQUEST_HASH), requestHash)) {
        return new Outcome.Reused();
      }
      if (COMPLETED.equals(existing.get(STATE))) {
        return new Outcome.Replay(existing.get(RESPONSE));
      }
      if (!existing.get(leaseOver)) {
        return new Outcome.InUse();
      }
      if (takeOver(scope, token)) {
        log.warn("{}: took over idempotency key whose lease had run out", scope.method());
        return new Outcome.Claimed(token);
      }
    }
    return new Outcome.InUse();
  }

  /** Inserts a new {@code IN_PROGRESS} key claimed by {@code token}; false if the key exists. */
  private boolean insertClaim(Scope scope, byte[] requestHash, UUID token) {
    int inserted =
        dsl.insertInto(KEYS)
            .set(TENANT_ID, scope.tenantId())
            .set(CALLER, scope.caller())
            .set(METHOD, scope.method())
            .set(IDEMPOTENCY_KEY, scope.key())
            .set(REQUEST_HASH, requestHash)
            .set(STATE, IN_PROGRESS)
            .set(CLAIM_TOKEN, token)
            .set(LEASE_UNTIL, leaseEnd())
            .set(CREATE_TIME, DSL.currentOffsetDateTime())
            .set(EXPIRE_TIME, after(Duration.ofHours(RETENTION_HOURS)))
            .onConflictDoNothing()
            .execute();
    return inserted == 1;
  }

  /**
   * Takes the key over for {@code token} when its owner died (or overran its lease) before
   * committing. The state and lease conditions make this atomic against the owner completing and
   * against other takers.
   */
  private boolean takeOver(Scope scope, UUID token) {
    int taken =
        dsl.update(KEYS)
            .set(CLAIM_TOKEN, token)
            .set(LEASE_UNTIL, leaseEnd())
            .where(is(scope))
            .and(STATE.eq(IN_PROGRESS))
            .and(LEASE_UNTIL.lt(DSL.currentOffsetDateTime()))
            .execute();
    return taken == 1;
  }

  /**
   * Stores {@code response} as the result of the claim {@code token}, in the caller's transaction.
   *
   * @return false when the claim is no longer this call's (released, or taken over by a retry)
   */
  boolean complete(DSLContext tx, Scope scope, UUID token, byte[] response) {
    return tx.update(KEYS)
            .set(STATE, COMPLETED)
            .set(RESPONSE, response)
            .set(COMPLETE_TIME, DSL.currentOffsetDateTime())
            .where(is(scope))
            .and(CLAIM_TOKEN.eq(token))
            .and(STATE.eq(IN_PROGRESS))
            .execute()
        == 1;
  }

  /**
   * Deletes the claim {@code token} if it is still in progress, so a retry can run.
   *
   * @return 1 when it deleted the claim, 0 when it was completed or is no longer this call's
   */
  int release(Scope scope, UUID token) {
    return dsl.deleteFrom(KEYS)
        .where(is(scope))
        .and(CLAIM_TOKEN.eq(token))
        .and(STATE.eq(IN_PROGRESS))
        .execute();
  }

  private Field<OffsetDateTime> leaseEnd() {
    return after(lease);
  }

  private static Field<OffsetDateTime> after(Duration duration) {
    return DSL.field(
        "now() + {0} * interval '1 millisecond'",
        SQLDataType.TIMESTAMPWITHTIMEZONE, DSL.val(duration.toMillis()));
  }

  private static Condition is(Scope scope) {
    return TENANT_ID
        .eq(scope.tenantId())
        .and(CALLER.eq(scope.caller()))
        .and(METHOD.eq(scope.method()))
        .and(IDEMPOTENCY_KEY.eq(scope.key()));
  }

  /**
   * What a key is unique in: the caller's tenant and subject, and the full method name.
   *
   * @param tenantId the caller's tenant
   * @param caller the caller's subject
   * @param method the full method name, such as {@code lattice.orders.v1.OrdersService/CreateOrder}
   * @param key the validated key
   */
  record Scope(UUID tenantId, String caller, String method, String key) {}

  /** The result of {@link #claim}. */
  sealed interface Outcome {

    /** The call owns the key and runs; {@code token} identifies its claim. */
    record Claimed(UUID token) implements Outcome {}

    /** The key has a stored result: the serialized response. */
    record Replay(byte[] response) implements Outcome {}

    /** The key was used with a different request. */
    record Reused() implements Outcome {}

    /** Another call holds the key under a live lease. */
    record InUse() implements Outcome {}
  }
}
