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

import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.Transactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code idempotency_keys} table: claims keys, stores results, releases and purges them.
 *
 * <p>Every time comparison uses the database's clock ({@code now()}), so replicas with skewed
 * clocks agree on leases and expiry. A key is kept {@value #RETENTION_HOURS} h from its first use;
 * after that it is treated as unused, and {@link #purgeExpired()} deletes it.
 *
 * <p>The table is under row-level security (decision 0018): every statement for a call runs as the
 * call's tenant (the key's scope), the purge alone across tenants. Thread-safe.
 */
public final class IdempotencyStore {

  /** How long a claim protects a running call before a retry may take the key over. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** How long a key is remembered from its first use, hours. */
  public static final int RETENTION_HOURS = 24;

  /** How often the service runtime runs {@link #purgeExpired()}. */
  public static final Duration PURGE_INTERVAL = Duration.ofHours(1);

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
   * batches of {@value #PURGE_BATCH} rows so no transaction grows large. The service runtime runs
   * it every {@link #PURGE_INTERVAL} ({@code PeriodicPurge}); several replicas may run it at once.
   *
   * @return the number of keys deleted
   */
  public int purgeExpired() {
    int total = 0;
    while (true) {
      // Across tenants (decision 0018): expiry is by time, whoever's the keys are.
      int deleted =
          Transactions.acrossTenants(
              dsl,
              tx ->
                  tx.execute(
                      "delete from idempotency_keys where ctid = any(array("
                          + "select ctid from idempotency_keys where expire_time < now() limit ?))",
                      PURGE_BATCH));
      total += deleted;
      if (deleted < PURGE_BATCH) {
        return total;
      }
    }
  }

  /**
   * Claims {@code scope} for a call with request fingerprint {@code requestHash}, in one short
   * transaction of the key's tenant that commits before the handler runs: a new key is inserted
   * {@code IN_PROGRESS}; an existing one is replayed, refused, or taken over when its owner's lease
   * ran out. Each statement reads what others committed before it (READ COMMITTED), and the insert
   * waits for another call's uncommitted insert of the same key, as it did in a transaction of its
   * own.
   */
  Outcome claim(Scope scope, byte[] requestHash) {
    return Transactions.inTenantTransaction(
        dsl, scope.tenantId(), tx -> claimIn(tx, scope, requestHash));
  }

  private Outcome claimIn(DSLContext tx, Scope scope, byte[] requestHash) {
    for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      UUID token = UUID.randomUUID();
      if (insertClaim(tx, scope, requestHash, token)) {
        return new Outcome.Claimed(token);
      }
      Optional<Existing> existing = find(tx, scope);
      if (existing.isEmpty()) {
        continue; // released between our insert and our look-up: try again
      }
      if (existing.get().expired()) {
        // Older than the retention: forgotten, even if the purge has not run yet.
        tx.deleteFrom(KEYS)
            .where(is(scope))
            .and(EXPIRE_TIME.lt(DSL.currentOffsetDateTime()))
            .execute();
        continue;
      }
      Optional<Outcome> settled = existing.get().answer(requestHash);
      if (settled.isPresent()) {
        return settled.get();
      }
      if (takeOver(tx, scope, token)) {
        log.warn("{}: took over idempotency key whose lease had run out", scope.method());
        return new Outcome.Claimed(token);
      }
    }
    return new Outcome.InUse();
  }

  /**
   * For an RPC that stores its key in its business transaction ({@code
   * idempotency_claim_in_transaction}): what the key's row, if any, answers a call with {@code
   * requestHash} — a replay, {@code Reused}, or {@code InUse} for a live claim of a call that
   * claimed before its handler. Empty when the handler runs: no row, one past its retention, or a
   * claim whose owner's lease ran out ({@link #store} replaces those). Reads only; commits nothing.
   */
  Optional<Outcome> lookUp(Scope scope, byte[] requestHash) {
    Optional<Existing> existing = findAsTenant(scope);
    if (existing.isEmpty() || existing.get().expired()) {
      return Optional.empty();
    }
    return existing.get().answer(requestHash);
  }

  /**
   * Stores {@code response} as the result of {@code scope}, in the caller's business transaction
   * {@code tx}, for an RPC that claims no key before its handler. A row past its retention, or an
   * {@code IN_PROGRESS} claim whose lease ran out, is replaced. While another transaction holds an
   * uncommitted row of the key, PostgreSQL makes this one wait for it.
   *
   * @return false when the key has a live row (another call stored it first, or holds it): the
   *     caller must roll back
   */
  boolean store(DSLContext tx, Scope scope, byte[] requestHash, byte[] response) {
    return STORE.execute(
            tx,
            scope.tenantId(),
            scope.caller(),
            scope.method(),
            scope.key(),
            requestHash,
            UUID.randomUUID(),
            response)
        == 1;
  }

  // CreateOrder and RefundOrder run these two on every call: rendered once.
  private static final RenderedStatement STORE =
      RenderedStatement.of(
          DSL.insertInto(KEYS)
              .set(TENANT_ID, DSL.param("tenant_id", TENANT_ID))
              .set(CALLER, DSL.param("caller", CALLER))
              .set(METHOD, DSL.param("method", METHOD))
              .set(IDEMPOTENCY_KEY, DSL.param("idempotency_key", IDEMPOTENCY_KEY))
              .set(REQUEST_HASH, DSL.param("request_hash", REQUEST_HASH))
              .set(STATE, DSL.inline(COMPLETED))
              .set(CLAIM_TOKEN, DSL.param("claim_token", CLAIM_TOKEN))
              .set(LEASE_UNTIL, DSL.currentOffsetDateTime())
              .set(RESPONSE, DSL.param("response", RESPONSE))
              .set(CREATE_TIME, DSL.currentOffsetDateTime())
              .set(COMPLETE_TIME, DSL.currentOffsetDateTime())
              .set(
                  EXPIRE_TIME,
                  DSL.field(
                      "now() + {0} * interval '1 millisecond'",
                      SQLDataType.TIMESTAMPWITHTIMEZONE,
                      DSL.inline(Duration.ofHours(RETENTION_HOURS).toMillis())))
              .onConflict(TENANT_ID, CALLER, METHOD, IDEMPOTENCY_KEY)
              .doUpdate()
              .set(REQUEST_HASH, DSL.excluded(REQUEST_HASH))
              .set(STATE, DSL.excluded(STATE))
              .set(CLAIM_TOKEN, DSL.excluded(CLAIM_TOKEN))
              .set(LEASE_UNTIL, DSL.excluded(LEASE_UNTIL))
              .set(RESPONSE, DSL.excluded(RESPONSE))
              .set(CREATE_TIME, DSL.excluded(CREATE_TIME))
              .set(COMPLETE_TIME, DSL.excluded(COMPLETE_TIME))
              .set(EXPIRE_TIME, DSL.excluded(EXPIRE_TIME))
              .where(
                  EXPIRE_TIME
                      .lt(DSL.currentOffsetDateTime())
                      .or(
                          STATE
                              .eq(DSL.inline(IN_PROGRESS))
                              .and(LEASE_UNTIL.lt(DSL.currentOffsetDateTime())))),
          "tenant_id",
          "caller",
          "method",
          "idempotency_key",
          "request_hash",
          "claim_token",
          "response");

  private static final RenderedStatement FIND =
      RenderedStatement.of(
          DSL.select(
                  REQUEST_HASH,
                  STATE,
                  RESPONSE,
                  DSL.field(LEASE_UNTIL.lt(DSL.currentOffsetDateTime())),
                  DSL.field(EXPIRE_TIME.lt(DSL.currentOffsetDateTime())))
              .from(KEYS)
              .where(TENANT_ID.eq(DSL.param("tenant_id", TENANT_ID)))
              .and(CALLER.eq(DSL.param("caller", CALLER)))
              .and(METHOD.eq(DSL.param("method", METHOD)))
              .and(IDEMPOTENCY_KEY.eq(DSL.param("idempotency_key", IDEMPOTENCY_KEY))),
          "tenant_id",
          "caller",
          "method",
          "idempotency_key");

  /**
   * The key's row, if any, with its lease and retention judged by the database's clock, read in
   * {@code tx}, a transaction of the key's tenant.
   */
  private static Optional<Existing> find(DSLContext tx, Scope scope) {
    return FIND.fetchFirst(
        tx,
        IdempotencyStore::existing,
        scope.tenantId(),
        scope.caller(),
        scope.method(),
        scope.key());
  }

  /** {@link #find} outside a transaction: the key's tenant set in the read's own round trip. */
  private Optional<Existing> findAsTenant(Scope scope) {
    return FIND.readAsTenant(
        dsl,
        scope.tenantId(),
        rs -> rs.next() ? Optional.of(existing(rs)) : Optional.empty(),
        scope.tenantId(),
        scope.caller(),
        scope.method(),
        scope.key());
  }

  private static Existing existing(ResultSet row) throws SQLException {
    return new Existing(
        row.getBytes(1), row.getString(2), row.getBytes(3), row.getBoolean(4), row.getBoolean(5));
  }

  /** A key's row as {@link #find} read it. */
  private record Existing(
      byte[] requestHash, String state, byte[] response, boolean leaseOver, boolean expired) {

    /**
     * What the row answers a call with {@code callHash}: {@code Reused} for another request, a
     * replay when completed, {@code InUse} under a live lease; empty when its owner's lease ran out
     * (the key may be taken over).
     */
    Optional<Outcome> answer(byte[] callHash) {
      if (!Arrays.equals(requestHash, callHash)) {
        return Optional.of(new Outcome.Reused());
      }
      if (COMPLETED.equals(state)) {
        return Optional.of(new Outcome.Replay(response));
      }
      return leaseOver ? Optional.empty() : Optional.of(new Outcome.InUse());
    }
  }

  /** Inserts a new {@code IN_PROGRESS} key claimed by {@code token}; false if the key exists. */
  private boolean insertClaim(DSLContext tx, Scope scope, byte[] requestHash, UUID token) {
    int inserted =
        tx.insertInto(KEYS)
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
  private boolean takeOver(DSLContext tx, Scope scope, UUID token) {
    int taken =
        tx.update(KEYS)
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
    return Transactions.inTenantTransaction(
        dsl,
        scope.tenantId(),
        tx ->
            tx.deleteFrom(KEYS)
                .where(is(scope))
                .and(CLAIM_TOKEN.eq(token))
                .and(STATE.eq(IN_PROGRESS))
                .execute());
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
