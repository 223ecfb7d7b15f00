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
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

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
   * The statements that append to the log, in transaction {@code tx}, which this switches to the
   * writer role once (every write then runs as it).
   */
  public Writer writer(DSLContext tx) {
    assumeWriterRole(tx);
    return new Writer(tx);
  }

  /**
   * The head of {@code tenant}'s chain, read in its own transaction {@code tx}; empty when none.
   */
  public Optional<ChainHead> head(DSLContext tx, UUID tenant) {
    assumeWriterRole(tx);
    return headOf(tx, tenant);
  }

  /**
   * Appending to the log within one transaction, already switched to the writer role: lock the
   * tenant's chain, check the event is new, read the head, append. Used by one thread.
   */
  public final class Writer {

    private final DSLContext tx;

    private Writer(DSLContext tx) {
      this.tx = tx;
    }

    /**
     * Serializes the writers of {@code tenant}'s chain with a transaction-scoped advisory lock on
     * the tenant, held until the caller's transaction ends, so the chain never forks.
     */
    public void lockChain(UUID tenant) {
      tx.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(lockKey(tenant))))
          .fetch();
    }

    /** Whether the event {@code eventId} is recorded already. */
    public boolean isRecorded(UUID eventId) {
      return tx.fetchExists(AUDIT_RECORDS, AUDIT_RECORDS.EVENT_ID.eq(eventId));
    }

    /** The head of {@code tenant}'s chain; empty when it has no record. */
    public Optional<ChainHead> head(UUID tenant) {
      return headOf(tx, tenant);
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

    /** Inserts {@code stored} and makes its record the head of its tenant's chain. */
    public void append(StoredRecord stored) {
      AuditRecord record = stored.record();
      AuditRecordsRecord row = toRow(record, tx.newRecord(AUDIT_RECORDS));
      stored.payloadJson().ifPresent(json -> row.setPayloadJson(JSONB.valueOf(json)));
      stored.oldValues().ifPresent(json -> row.setOldValues(JSONB.valueOf(json)));
      stored.newValues().ifPresent(json -> row.setNewValues(JSONB.valueOf(json)));
      row.insert();
      UUID tenant = UUID.fromString(record.getTenantId());
      OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
      byte[] hash = record.getHash().toByteArray();
      tx.insertInto(AUDIT_CHAIN_HEADS)
          .set(AUDIT_CHAIN_HEADS.TENANT_ID, tenant)
          .set(AUDIT_CHAIN_HEADS.SEQUENCE, record.getSequence())
          .set(AUDIT_CHAIN_HEADS.HASH, hash)
          .set(AUDIT_CHAIN_HEADS.UPDATE_TIME, now)
          .onConflict(AUDIT_CHAIN_HEADS.TENANT_ID)
          .doUpdate()
          .set(AUDIT_CHAIN_HEADS.SEQUENCE, record.getSequence())
          .set(AUDIT_CHAIN_HEADS.HASH, hash)
          .set(AUDIT_CHAIN_HEADS.UPDATE_TIME, now)
          .execute();
    }
  }

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

  /** Fills {@code row} from {@code record} (the JSON columns are the caller's). */
  private static AuditRecordsRecord toRow(AuditRecord record, AuditRecordsRecord row) {
    row.setId(UUID.fromString(record.getId()));
    row.setTenantId(UUID.fromString(record.getTenantId()));
    row.setSequence(record.getSequence());
    row.setEventId(UUID.fromString(record.getEventId()));
    row.setEventType(record.getEventType());
    row.setAction(record.getAction());
    row.setSource(record.getSource());
    row.setEntityType(record.getEntityType());
    row.setEntityId(record.getEntityId());
    row.setEntityVersion(record.getEntityVersion());
    row.setActorType(record.getActor().getType().name().substring(ACTOR_TYPE_PREFIX.length()));
    row.setActorSubjectId(record.getActor().getSubjectId());
    Actor actor = record.getActor();
    row.setClientAddress(actor.getClientAddress().isEmpty() ? null : actor.getClientAddress());
    row.setUserAgent(actor.getUserAgent().isEmpty() ? null : actor.getUserAgent());
    row.setOccurTime(utc(record.getOccurTime()));
    row.setRecordTime(utc(record.getRecordTime()));
    row.setPayloadTypeUrl(record.getPayload().getTypeUrl());
    row.setPayload(record.getPayload().getValue().toByteArray());
    row.setPreviousHash(record.getPreviousHash().toByteArray());
    row.setHash(record.getHash().toByteArray());
    return row;
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
