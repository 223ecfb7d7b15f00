package dev.lattice.audit.store;

import static dev.lattice.audit.store.jooq.Tables.AUDIT_CHAIN_HEADS;
import static dev.lattice.audit.store.jooq.Tables.AUDIT_RECORDS;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.lattice.audit.store.jooq.tables.records.AuditRecordsRecord;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.platform.db.RenderedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The audit log in PostgreSQL, shared by recording, reading and verifying. Every method runs its
 * statements as the writer role {@value #WRITER_ROLE}, created by migration V2 with SELECT and
 * INSERT on the records (no UPDATE, DELETE or TRUNCATE) and SELECT, INSERT and UPDATE on the chain
 * heads; the pool's login role (the migration owner) is a member. The caller's {@code DSLContext}
 * must be inside a transaction: the role is set with {@code SET LOCAL ROLE}, for that transaction
 * only (once per transaction for a {@link Writer}). Rows map to the contract's {@link AuditRecord},
 * the form the chain hashes, and back to the same record: times are kept to the microsecond (what
 * PostgreSQL stores), an absent client address is the empty string. Thread-safe.
 */
public final class AuditStore {

  /** The database role the service uses for the log (cluster-wide). */
  static final String WRITER_ROLE = "lattice_audit_writer";

  private static final String ACTOR_TYPE_PREFIX = "ACTOR_TYPE_";

  private final Clock clock;

  /** A store stamping chain heads with {@code clock}. */
  public AuditStore(Clock clock) {
    this.clock = clock;
  }

  /**
   * Starts appending to {@code tenant}'s chain in transaction {@code tx}: switches the transaction
   * to the writer role (every write then runs as it) and takes the chain's lock, a
   * transaction-scoped advisory lock on the tenant held until {@code tx} ends, so that the writers
   * of one chain are serialized and it never forks. One statement for both.
   */
  public Writer lockChain(DSLContext tx, UUID tenant) {
    LOCK_CHAIN.fetch(tx, rs -> Boolean.TRUE, lockKey(tenant));
    return new Writer(tx, tenant);
  }

  /**
   * Starts appending to the chains of {@code tenants} in transaction {@code tx}, as {@link
   * #lockChain} does for one: the writer role, and each chain's lock, taken in ascending order of
   * the lock keys, so that two transactions locking overlapping sets wait for each other instead of
   * deadlocking. One statement for all of them. For a consumer's batch of events, which appends to
   * several chains in one transaction.
   */
  public Chains lockChains(DSLContext tx, Collection<UUID> tenants) {
    Long[] keys =
        tenants.stream().map(AuditStore::lockKey).distinct().sorted().toArray(Long[]::new);
    LOCK_CHAINS.fetch(tx, rs -> Boolean.TRUE, (Object) keys);
    return new Chains(tx, Set.copyOf(tenants));
  }

  /** The chains one transaction has locked ({@link #lockChains}); used by one thread. */
  public final class Chains {

    private final DSLContext tx;
    private final Set<UUID> locked;
    private final Map<UUID, Writer> writers = new HashMap<>();

    private Chains(DSLContext tx, Set<UUID> locked) {
      this.tx = tx;
      this.locked = locked;
    }

    /**
     * The writer of {@code tenant}'s chain in this transaction; a tenant that was not locked with
     * the others is locked now (after them, so not in order: a deadlock is possible then, and
     * PostgreSQL detects it).
     */
    public Writer writer(UUID tenant) {
      return writers.computeIfAbsent(
          tenant, t -> locked.contains(t) ? new Writer(tx, t) : lockChain(tx, t));
    }
  }

  /**
   * The head of {@code tenant}'s chain, read in its own transaction {@code tx}; empty when none.
   */
  public Optional<ChainHead> head(DSLContext tx, UUID tenant) {
    assumeWriterRole(tx);
    return headOf(tx, tenant);
  }

  /**
   * Where a new event goes: whether it is recorded already, and the chain's head (empty for an
   * empty chain).
   */
  public record Tail(boolean eventRecorded, Optional<ChainHead> head) {}

  /**
   * Appending to one tenant's chain within one transaction, which holds the chain's lock and runs
   * as the writer role: read the tail, append. Used by one thread.
   *
   * <p>Its statements run for every event the mesh publishes, so they are rendered once ({@link
   * RenderedStatement}). The tail is read after the lock is held, in a statement of its own: under
   * READ COMMITTED a statement sees what was committed when it started, so reading the head in the
   * statement that waits for the lock could see a head another writer has since moved.
   */
  public final class Writer {

    private final DSLContext tx;
    private final UUID tenant;

    private Writer(DSLContext tx, UUID tenant) {
      this.tx = tx;
      this.tenant = tenant;
    }

    /** Whether {@code eventId} is recorded already, and the chain's head: one statement. */
    public Tail tail(UUID eventId) {
      return TAIL.fetch(
              tx,
              rs -> {
                boolean recorded = rs.getBoolean(1);
                long sequence = rs.getLong(2);
                Optional<ChainHead> head =
                    rs.wasNull()
                        ? Optional.empty()
                        : Optional.of(new ChainHead(sequence, ByteString.copyFrom(rs.getBytes(3))));
                return new Tail(recorded, head);
              },
              eventId,
              tenant)
          .get(0);
    }

    /**
     * The address as PostgreSQL's {@code inet} prints it, so the hashed record equals the stored
     * one; null when {@code text} is empty or not an IP address (the log keeps no unparseable
     * address).
     */
    public String clientAddress(String text) {
      if (!IpLiterals.isIpLiteral(text)) {
        return null;
      }
      return tx.select(DSL.field("host(cast({0} as inet))", String.class, DSL.val(text)))
          .fetchOne(0, String.class);
    }

    /**
     * Inserts {@code stored}, a record of this writer's tenant, and makes it the head of the chain.
     */
    public void append(StoredRecord stored) {
      AuditRecord record = stored.record();
      if (!record.getTenantId().equals(tenant.toString())) {
        throw new IllegalArgumentException(
            "record of tenant " + record.getTenantId() + " appended to the chain of " + tenant);
      }
      Actor actor = record.getActor();
      byte[] hash = record.getHash().toByteArray();
      INSERT_RECORD.execute(
          tx,
          UUID.fromString(record.getId()),
          tenant,
          record.getSequence(),
          UUID.fromString(record.getEventId()),
          record.getEventType(),
          record.getAction(),
          record.getSource(),
          record.getEntityType(),
          record.getEntityId(),
          record.getEntityVersion(),
          actorType(actor),
          actor.getSubjectId(),
          actor.getClientAddress().isEmpty() ? null : actor.getClientAddress(),
          actor.getUserAgent().isEmpty() ? null : actor.getUserAgent(),
          utc(record.getOccurTime()),
          utc(record.getRecordTime()),
          record.getPayload().getTypeUrl(),
          record.getPayload().getValue().toByteArray(),
          record.getPreviousHash().toByteArray(),
          hash,
          stored.payloadJson().map(JSONB::valueOf).orElse(null),
          stored.oldValues().map(JSONB::valueOf).orElse(null),
          stored.newValues().map(JSONB::valueOf).orElse(null));
      MOVE_HEAD.execute(tx, tenant, record.getSequence(), hash, utc(clock.instant()));
    }
  }

  private static final RenderedStatement LOCK_CHAIN =
      RenderedStatement.of(
          DSL.select(
              DSL.field("set_config('role', '" + WRITER_ROLE + "', true)", String.class),
              DSL.field(
                  "pg_advisory_xact_lock({0})",
                  Object.class, DSL.param("lock", SQLDataType.BIGINT))),
          "lock");

  // Locks in the order of the array: the subquery keeps it (offset 0 keeps it a subquery).
  private static final RenderedStatement LOCK_CHAINS =
      RenderedStatement.of(
          DSL.select(
              DSL.field("set_config('role', '" + WRITER_ROLE + "', true)", String.class),
              DSL.field(
                  "(select count(pg_advisory_xact_lock(u.k)) from (select k from unnest({0}) with"
                      + " ordinality as u(k, i) order by i offset 0) u)",
                  Long.class, DSL.param("locks", SQLDataType.BIGINT.array()))),
          "locks");

  private static final RenderedStatement TAIL =
      RenderedStatement.of(
          DSL.select(
                  DSL.field(
                      DSL.exists(
                          DSL.selectOne()
                              .from(AUDIT_RECORDS)
                              .where(
                                  AUDIT_RECORDS.EVENT_ID.eq(DSL.param("event_id", UUID.class))))),
                  AUDIT_CHAIN_HEADS.SEQUENCE,
                  AUDIT_CHAIN_HEADS.HASH)
              .from(DSL.selectOne().asTable("one"))
              .leftJoin(AUDIT_CHAIN_HEADS)
              .on(AUDIT_CHAIN_HEADS.TENANT_ID.eq(DSL.param("tenant_id", UUID.class))),
          "event_id",
          "tenant_id");

  private static final List<Field<?>> RECORD_COLUMNS =
      List.of(
          AUDIT_RECORDS.ID,
          AUDIT_RECORDS.TENANT_ID,
          AUDIT_RECORDS.SEQUENCE,
          AUDIT_RECORDS.EVENT_ID,
          AUDIT_RECORDS.EVENT_TYPE,
          AUDIT_RECORDS.ACTION,
          AUDIT_RECORDS.SOURCE,
          AUDIT_RECORDS.ENTITY_TYPE,
          AUDIT_RECORDS.ENTITY_ID,
          AUDIT_RECORDS.ENTITY_VERSION,
          AUDIT_RECORDS.ACTOR_TYPE,
          AUDIT_RECORDS.ACTOR_SUBJECT_ID,
          AUDIT_RECORDS.CLIENT_ADDRESS,
          AUDIT_RECORDS.USER_AGENT,
          AUDIT_RECORDS.OCCUR_TIME,
          AUDIT_RECORDS.RECORD_TIME,
          AUDIT_RECORDS.PAYLOAD_TYPE_URL,
          AUDIT_RECORDS.PAYLOAD,
          AUDIT_RECORDS.PREVIOUS_HASH,
          AUDIT_RECORDS.HASH,
          AUDIT_RECORDS.PAYLOAD_JSON,
          AUDIT_RECORDS.OLD_VALUES,
          AUDIT_RECORDS.NEW_VALUES);

  private static final RenderedStatement INSERT_RECORD =
      RenderedStatement.of(
          DSL.insertInto(AUDIT_RECORDS, RECORD_COLUMNS)
              .values(RenderedStatement.parametersFor(RECORD_COLUMNS)),
          RenderedStatement.namesOf(RECORD_COLUMNS));

  private static final RenderedStatement MOVE_HEAD =
      RenderedStatement.of(
          DSL.insertInto(
                  AUDIT_CHAIN_HEADS,
                  AUDIT_CHAIN_HEADS.TENANT_ID,
                  AUDIT_CHAIN_HEADS.SEQUENCE,
                  AUDIT_CHAIN_HEADS.HASH,
                  AUDIT_CHAIN_HEADS.UPDATE_TIME)
              .values(
                  DSL.param("tenant_id", AUDIT_CHAIN_HEADS.TENANT_ID),
                  DSL.param("sequence", AUDIT_CHAIN_HEADS.SEQUENCE),
                  DSL.param("hash", AUDIT_CHAIN_HEADS.HASH),
                  DSL.param("update_time", AUDIT_CHAIN_HEADS.UPDATE_TIME))
              .onConflict(AUDIT_CHAIN_HEADS.TENANT_ID)
              .doUpdate()
              .set(AUDIT_CHAIN_HEADS.SEQUENCE, DSL.excluded(AUDIT_CHAIN_HEADS.SEQUENCE))
              .set(AUDIT_CHAIN_HEADS.HASH, DSL.excluded(AUDIT_CHAIN_HEADS.HASH))
              .set(AUDIT_CHAIN_HEADS.UPDATE_TIME, DSL.excluded(AUDIT_CHAIN_HEADS.UPDATE_TIME)),
          "tenant_id",
          "sequence",
          "hash",
          "update_time");

  /** The record {@code id} of {@code tenant}; empty for an unknown id or another tenant's. */
  public Optional<AuditRecord> get(DSLContext tx, UUID tenant, UUID id) {
    assumeWriterRole(tx);
    return tx.selectFrom(AUDIT_RECORDS)
        .where(AUDIT_RECORDS.TENANT_ID.eq(tenant), AUDIT_RECORDS.ID.eq(id))
        .fetchOptional()
        .map(AuditStore::toRecord);
  }

  /** One page of {@code query}, newest (highest sequence) first. */
  public List<AuditRecord> query(DSLContext tx, AuditQuery query) {
    assumeWriterRole(tx);
    List<Condition> where = new ArrayList<>();
    where.add(AUDIT_RECORDS.TENANT_ID.eq(query.tenantId()));
    if (!query.actorSubjectId().isEmpty()) {
      where.add(AUDIT_RECORDS.ACTOR_SUBJECT_ID.eq(query.actorSubjectId()));
    }
    if (!query.entityType().isEmpty()) {
      where.add(AUDIT_RECORDS.ENTITY_TYPE.eq(query.entityType()));
    }
    if (!query.entityId().isEmpty()) {
      where.add(AUDIT_RECORDS.ENTITY_ID.eq(query.entityId()));
    }
    if (!query.action().isEmpty()) {
      where.add(AUDIT_RECORDS.ACTION.eq(query.action()));
    }
    query.start().ifPresent(t -> where.add(AUDIT_RECORDS.OCCUR_TIME.ge(utc(t))));
    query.end().ifPresent(t -> where.add(AUDIT_RECORDS.OCCUR_TIME.lt(utc(t))));
    query.beforeSequence().ifPresent(s -> where.add(AUDIT_RECORDS.SEQUENCE.lt(s)));
    return tx.selectFrom(AUDIT_RECORDS)
        .where(where)
        .orderBy(AUDIT_RECORDS.SEQUENCE.desc())
        .limit(query.limit())
        .fetch(AuditStore::toRecord);
  }

  /** {@code tenant}'s records with sequences in {@code [from, to]}, ascending, at most limit. */
  public List<AuditRecord> range(DSLContext tx, UUID tenant, long from, long to, int limit) {
    assumeWriterRole(tx);
    return tx.selectFrom(AUDIT_RECORDS)
        .where(AUDIT_RECORDS.TENANT_ID.eq(tenant), AUDIT_RECORDS.SEQUENCE.between(from, to))
        .orderBy(AUDIT_RECORDS.SEQUENCE)
        .limit(limit)
        .fetch(AuditStore::toRecord);
  }

  /** The stored hash of record {@code sequence} of {@code tenant}; empty when there is none. */
  public Optional<ByteString> hashAt(DSLContext tx, UUID tenant, long sequence) {
    assumeWriterRole(tx);
    return tx.select(AUDIT_RECORDS.HASH)
        .from(AUDIT_RECORDS)
        .where(AUDIT_RECORDS.TENANT_ID.eq(tenant), AUDIT_RECORDS.SEQUENCE.eq(sequence))
        .fetchOptional(r -> ByteString.copyFrom(r.value1()));
  }

  private static Optional<ChainHead> headOf(DSLContext tx, UUID tenant) {
    return tx.select(AUDIT_CHAIN_HEADS.SEQUENCE, AUDIT_CHAIN_HEADS.HASH)
        .from(AUDIT_CHAIN_HEADS)
        .where(AUDIT_CHAIN_HEADS.TENANT_ID.eq(tenant))
        .fetchOptional(head -> new ChainHead(head.value1(), ByteString.copyFrom(head.value2())));
  }

  /**
   * Switches the current transaction of {@code tx} to the writer role.
   *
   * @throws org.jooq.exception.DataAccessException when the login role is not a member
   */
  private static void assumeWriterRole(DSLContext tx) {
    tx.execute("set local role " + WRITER_ROLE);
  }

  /** The actor type as the log stores it: the enum's name without its prefix. */
  private static String actorType(Actor actor) {
    return actor.getType().name().substring(ACTOR_TYPE_PREFIX.length());
  }

  /** The record a stored row holds. */
  private static AuditRecord toRecord(AuditRecordsRecord row) {
    return AuditRecord.newBuilder()
        .setId(row.getId().toString())
        .setTenantId(row.getTenantId().toString())
        .setSequence(row.getSequence())
        .setEventId(row.getEventId().toString())
        .setEventType(row.getEventType())
        .setAction(row.getAction())
        .setSource(row.getSource())
        .setEntityType(row.getEntityType())
        .setEntityId(row.getEntityId())
        .setEntityVersion(row.getEntityVersion())
        .setActor(
            Actor.newBuilder()
                .setType(ActorType.valueOf(ACTOR_TYPE_PREFIX + row.getActorType()))
                .setSubjectId(row.getActorSubjectId())
                .setClientAddress(row.getClientAddress() == null ? "" : row.getClientAddress())
                .setUserAgent(row.getUserAgent() == null ? "" : row.getUserAgent()))
        .setOccurTime(timestamp(row.getOccurTime().toInstant()))
        .setRecordTime(timestamp(row.getRecordTime().toInstant()))
        .setPayload(
            Any.newBuilder()
                .setTypeUrl(row.getPayloadTypeUrl())
                .setValue(ByteString.copyFrom(row.getPayload())))
        .setPreviousHash(ByteString.copyFrom(row.getPreviousHash()))
        .setHash(ByteString.copyFrom(row.getHash()))
        .build();
  }

  private static long lockKey(UUID tenant) {
    return tenant.getMostSignificantBits() ^ tenant.getLeastSignificantBits();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static OffsetDateTime utc(Timestamp timestamp) {
    return utc(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
