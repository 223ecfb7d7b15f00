package dev.lattice.audit.store;

import static dev.lattice.audit.store.jooq.Tables.AUDIT_CHAIN_HEADS;
import static dev.lattice.audit.store.jooq.Tables.AUDIT_RECORDS;

import com.google.protobuf.ByteString;
import dev.lattice.audit.chain.ChainHash;
import dev.lattice.audit.store.jooq.tables.records.AuditRecordsRecord;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * The audit log in PostgreSQL. Every method runs its statements as the writer role ({@link
 * WriterRole}), which may only read and append records; the caller's {@code DSLContext} must be
 * inside a transaction (the role is set for that transaction only). Thread-safe.
 */
public final class AuditStore {

  private final UuidV7Generator ids;
  private final Clock clock;

  /** A store stamping records with {@code clock} and ids from {@code ids}. */
  public AuditStore(UuidV7Generator ids, Clock clock) {
    this.ids = ids;
    this.clock = clock;
  }

  /**
   * Appends {@code entry} to its tenant's chain, unless its event is recorded already. Writers of
   * one tenant are serialized by a transaction-scoped advisory lock on the tenant, so the chain
   * never forks; the lock is held until the caller's transaction ends.
   *
   * @return the record appended; empty when the event was recorded before
   */
  public Optional<AuditRecord> append(DSLContext tx, AuditEntry entry) {
    WriterRole.assume(tx);
    UUID tenant = entry.tenantId();
    tx.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(lockKey(tenant))))
        .fetch();
    UUID eventId = UUID.fromString(entry.envelope().getEventId());
    if (tx.fetchExists(AUDIT_RECORDS, AUDIT_RECORDS.EVENT_ID.eq(eventId))) {
      return Optional.empty();
    }
    ChainHead head = head(tx, tenant);
    AuditRecord unhashed =
        RecordRows.newRecord(
            ids.next(),
            tenant,
            head,
            entry,
            clientAddress(tx, entry.envelope().getActor().getClientAddress()),
            clock.instant().truncatedTo(ChronoUnit.MICROS));
    AuditRecord record = unhashed.toBuilder().setHash(ChainHash.of(unhashed)).build();
    AuditRecordsRecord row = RecordRows.toRow(record, tx.newRecord(AUDIT_RECORDS));
    entry.payload().json().ifPresent(json -> row.setPayloadJson(JSONB.valueOf(json)));
    entry.payload().oldValues().ifPresent(json -> row.setOldValues(JSONB.valueOf(json)));
    entry.payload().newValues().ifPresent(json -> row.setNewValues(JSONB.valueOf(json)));
    row.insert();
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
    return Optional.of(record);
  }

  /** The head of {@code tenant}'s chain (sequence 0 and zero hash when it has no record). */
  public ChainHead head(DSLContext tx, UUID tenant) {
    WriterRole.assume(tx);
    var head =
        tx.select(AUDIT_CHAIN_HEADS.SEQUENCE, AUDIT_CHAIN_HEADS.HASH)
            .from(AUDIT_CHAIN_HEADS)
            .where(AUDIT_CHAIN_HEADS.TENANT_ID.eq(tenant))
            .fetchOne();
    return head == null
        ? new ChainHead(0, ChainHash.GENESIS)
        : new ChainHead(head.value1(), ByteString.copyFrom(head.value2()));
  }

  /** The record {@code id} of {@code tenant}; empty for an unknown id or another tenant's. */
  public Optional<AuditRecord> get(DSLContext tx, UUID tenant, UUID id) {
    WriterRole.assume(tx);
    return tx.selectFrom(AUDIT_RECORDS)
        .where(AUDIT_RECORDS.TENANT_ID.eq(tenant), AUDIT_RECORDS.ID.eq(id))
        .fetchOptional()
        .map(RecordRows::toRecord);
  }

  /** One page of {@code query}, newest (highest sequence) first. */
  public List<AuditRecord> query(DSLContext tx, AuditQuery query) {
    WriterRole.assume(tx);
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
        .fetch(RecordRows::toRecord);
  }

  /** {@code tenant}'s records with sequences in {@code [from, to]}, ascending, at most limit. */
  public List<AuditRecord> range(DSLContext tx, UUID tenant, long from, long to, int limit) {
    WriterRole.assume(tx);
    return tx.selectFrom(AUDIT_RECORDS)
        .where(
            AUDIT_RECORDS.TENANT_ID.eq(tenant),
            AUDIT_RECORDS.SEQUENCE.between(from, to))
        .orderBy(AUDIT_RECORDS.SEQUENCE)
        .limit(limit)
        .fetch(RecordRows::toRecord);
  }

  /** The stored hash of record {@code sequence} of {@code tenant}; empty when there is none. */
  public Optional<ByteString> hashAt(DSLContext tx, UUID tenant, long sequence) {
    WriterRole.assume(tx);
    return tx.select(AUDIT_RECORDS.HASH)
        .from(AUDIT_RECORDS)
        .where(AUDIT_RECORDS.TENANT_ID.eq(tenant), AUDIT_RECORDS.SEQUENCE.eq(sequence))
        .fetchOptional(r -> ByteString.copyFrom(r.value1()));
  }

  /**
   * The address as PostgreSQL's {@code inet} prints it, so the hashed record equals the stored
   * one; null when {@code text} is empty or not an IP address (the log keeps no unparseable
   * address).
   */
  private static String clientAddress(DSLContext tx, String text) {
    if (!IpLiterals.isIpLiteral(text)) {
      return null;
    }
    return tx.select(DSL.field("host(cast({0} as inet))", String.class, DSL.val(text)))
        .fetchOne(0, String.class);
  }

  private static long lockKey(UUID tenant) {
    return tenant.getMostSignificantBits() ^ tenant.getLeastSignificantBits();
  }

  private static OffsetDateTime utc(java.time.Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
