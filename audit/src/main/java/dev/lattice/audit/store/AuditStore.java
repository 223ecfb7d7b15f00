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
import java.util.HashSet;
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
 * only (once per transaction for {@link Chains}). Rows map to the contract's {@link AuditRecord},
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
   * Starts appending to the chains of {@code tenants} in transaction {@code tx}, which records the
   * events {@code eventIds}: switches the transaction to the writer role (every write then runs as
   * it) and takes each chain's lock, a transaction-scoped advisory lock on the tenant held until
   * {@code tx} ends, so that the writers of one chain are serialized and it never forks. The locks
   * are taken in ascending order of their keys, so that two transactions locking overlapping sets
   * wait for each other instead of deadlocking. Then, in a statement of its own (under READ
   * COMMITTED a statement sees what was committed when it started, so reading the heads in the
   * statement that waits for the locks could see a head another writer has since moved), it reads
   * every chain's head and which of the events are recorded already. Two statements for a
   * consumer's whole batch of events.
   */
  public Chains lockChains(DSLContext tx, Collection<UUID> tenants, Collection<UUID> eventIds) {
    Long[] keys =
        tenants.stream().map(AuditStore::lockKey).distinct().sorted().toArray(Long[]::new);
    LOCK_CHAINS.fetch(tx, rs -> Boolean.TRUE, (Object) keys);
    Chains chains = new Chains(tx);
    chains.readTails(tenants, eventIds);
    return chains;
  }

  /**
   * The chains one transaction has locked ({@link #lockChains}), appended to in memory and written
   * by {@link #flush}: the records in one JDBC batch, then each chain's new head once. Used by one
   * thread.
   */
  public final class Chains {

    private final DSLContext tx;
    private final Map<UUID, Optional<ChainHead>> heads = new HashMap<>();
    private final Set<UUID> recorded = new HashSet<>();
    private final Map<UUID, Writer> writers = new HashMap<>();
    private final Map<String, Optional<String>> addresses = new HashMap<>();
    private final List<StoredRecord> pending = new ArrayList<>();

    private Chains(DSLContext tx) {
      this.tx = tx;
    }

    private void readTails(Collection<UUID> tenants, Collection<UUID> eventIds) {
      for (UUID tenant : tenants) {
        heads.put(tenant, Optional.empty());
      }
      TAILS.fetch(
          tx,
          rs -> {
            UUID tenant = rs.getObject(1, UUID.class);
            if (tenant != null) {
              heads.put(
                  tenant,
                  Optional.of(new ChainHead(rs.getLong(2), ByteString.copyFrom(rs.getBytes(3)))));
            } else {
              recorded.add(rs.getObject(4, UUID.class));
            }
            return Boolean.TRUE;
          },
          (Object) tenants.toArray(UUID[]::new),
          (Object) eventIds.toArray(UUID[]::new));
    }

    /**
     * The writer of {@code tenant}'s chain in this transaction.
     *
     * @throws IllegalArgumentException if {@code tenant}'s chain was not locked with the others
     */
    public Writer writer(UUID tenant) {
      if (!heads.containsKey(tenant)) {
        throw new IllegalArgumentException("the chain of " + tenant + " is not locked");
      }
      return writers.computeIfAbsent(tenant, Writer::new);
    }

    /**
     * Writes what the writers appended: every record in one JDBC batch, in order, then each chain's
     * head once. Call it once, before the transaction commits.
     */
    public void flush() {
      if (pending.isEmpty()) {
        return;
      }
      List<Object[]> rows = new ArrayList<>(pending.size());
      for (StoredRecord stored : pending) {
        rows.add(recordValues(stored));
      }
      INSERT_RECORD.executeBatch(tx, rows);
      // Each chain moves to the last record appended to it.
      Map<String, AuditRecord> last = new HashMap<>();
      for (StoredRecord stored : pending) {
        last.put(stored.record().getTenantId(), stored.record());
      }
      OffsetDateTime now = utc(clock.instant());
      List<Object[]> moves = new ArrayList<>(last.size());
      for (AuditRecord record : last.values()) {
        moves.add(
            new Object[] {
              UUID.fromString(record.getTenantId()),
              record.getSequence(),
              record.getHash().toByteArray(),
              now
            });
      }
      MOVE_HEAD.executeBatch(tx, moves);
      pending.clear();
    }

    /**
     * Appending to one tenant's chain within the transaction, which holds the chain's lock and runs
     * as the writer role: read the tail, append. Used by one thread.
     */
    public final class Writer {

      private final UUID tenant;

      private Writer(UUID tenant) {
        this.tenant = tenant;
      }

      private Optional<ChainHead> head() {
        return heads.get(tenant);
      }

      /**
       * Whether {@code eventId} is recorded already (before this transaction, or appended in it),
       * and the chain's head, with this transaction's appends.
       */
      public Tail tail(UUID eventId) {
        return new Tail(recorded.contains(eventId), head());
      }

      /**
       * The address as PostgreSQL's {@code inet} prints it, so the hashed record equals the stored
       * one; null when {@code text} is empty or not an IP address (the log keeps no unparseable
       * address). Asked of the database once per address in the transaction.
       */
      public String clientAddress(String text) {
        if (!IpLiterals.isIpLiteral(text)) {
          return null;
        }
        return addresses
            .computeIfAbsent(
                text,
                t ->
                    Optional.ofNullable(
                        tx.select(DSL.field("host(cast({0} as inet))", String.class, DSL.val(t)))
                            .fetchOne(0, String.class)))
            .orElse(null);
      }

      /**
       * Appends {@code stored}, a record of this writer's tenant following its head, and makes it
       * the head of the chain; written by {@link Chains#flush}.
       *
       * @throws IllegalArgumentException if the record is another tenant's or does not follow the
       *     head
       */
      public void append(StoredRecord stored) {
        AuditRecord record = stored.record();
        if (!record.getTenantId().equals(tenant.toString())) {
          throw new IllegalArgumentException(
              "record of tenant " + record.getTenantId() + " appended to the chain of " + tenant);
        }
        long expected = head().map(ChainHead::sequence).orElse(0L) + 1;
        if (record.getSequence() != expected) {
          throw new IllegalArgumentException(
              "record " + record.getSequence() + " appended where " + expected + " is next");
        }
        pending.add(stored);
        recorded.add(UUID.fromString(record.getEventId()));
        heads.put(tenant, Optional.of(new ChainHead(record.getSequence(), record.getHash())));
      }
    }
  }

  /**
   * Where a new event goes: whether it is recorded already, and the chain's head (empty for an
   * empty chain).
   */
  public record Tail(boolean eventRecorded, Optional<ChainHead> head) {}

  /**
   * The head of {@code tenant}'s chain, read in its own transaction {@code tx}; empty when none.
   */
  public Optional<ChainHead> head(DSLContext tx, UUID tenant) {
    assumeWriterRole(tx);
    return headOf(tx, tenant);
  }

  /** The values of {@link #INSERT_RECORD} for {@code stored}. */
  private static Object[] recordValues(StoredRecord stored) {
    AuditRecord record = stored.record();
    Actor actor = record.getActor();
    return new Object[] {
      UUID.fromString(record.getId()),
      UUID.fromString(record.getTenantId()),
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
      record.getHash().toByteArray(),
      stored.payloadJson().map(JSONB::valueOf).orElse(null),
      stored.oldValues().map(JSONB::valueOf).orElse(null),
      stored.newValues().map(JSONB::valueOf).orElse(null)
    };
  }

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

  // The heads of the batch's chains, then the batch's events recorded already (tenant_id null).
  private static final RenderedStatement TAILS =
      RenderedStatement.of(
          DSL.select(
                  AUDIT_CHAIN_HEADS.TENANT_ID,
                  AUDIT_CHAIN_HEADS.SEQUENCE,
                  AUDIT_CHAIN_HEADS.HASH,
                  DSL.inline(null, SQLDataType.UUID).as("event_id"))
              .from(AUDIT_CHAIN_HEADS)
              .where(
                  AUDIT_CHAIN_HEADS.TENANT_ID.eq(
                      DSL.any(DSL.param("tenant_ids", SQLDataType.UUID.array()))))
              .unionAll(
                  DSL.select(
                          DSL.inline(null, SQLDataType.UUID),
                          DSL.inline(null, SQLDataType.BIGINT),
                          DSL.inline(null, SQLDataType.BLOB),
                          AUDIT_RECORDS.EVENT_ID)
                      .from(AUDIT_RECORDS)
                      .where(
                          AUDIT_RECORDS.EVENT_ID.eq(
                              DSL.any(DSL.param("event_ids", SQLDataType.UUID.array()))))),
          "tenant_ids",
          "event_ids");

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
