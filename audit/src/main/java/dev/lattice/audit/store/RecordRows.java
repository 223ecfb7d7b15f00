package dev.lattice.audit.store;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.lattice.audit.store.jooq.tables.records.AuditRecordsRecord;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Maps between stored rows and the contract's {@link AuditRecord}, the form the chain hashes. Both
 * directions give the same record for the same row: times are kept to the microsecond (what
 * PostgreSQL stores), an absent client address is the empty string. Stateless.
 */
final class RecordRows {

  private static final String ACTOR_TYPE_PREFIX = "ACTOR_TYPE_";
  private static final int MAX_USER_AGENT = 256;

  private RecordRows() {}

  /** The record for {@code entry} following {@code head}, without its hash. */
  static AuditRecord newRecord(
      UUID id, UUID tenant, ChainHead head, AuditEntry entry, String clientAddress, Instant now) {
    Envelope envelope = entry.envelope();
    Actor actor = envelope.getActor();
    String agent = actor.getUserAgent();
    Any payload = entry.payload().payload();
    return AuditRecord.newBuilder()
        .setId(id.toString())
        .setTenantId(tenant.toString())
        .setSequence(head.sequence() + 1)
        .setEventId(envelope.getEventId())
        .setEventType(envelope.getType())
        .setAction(action(envelope))
        .setSource(envelope.getSource())
        .setEntityType(envelope.getAggregateType())
        .setEntityId(envelope.getAggregateId())
        .setEntityVersion(envelope.getAggregateVersion())
        .setActor(
            Actor.newBuilder()
                .setType(
                    actor.getType() == ActorType.UNRECOGNIZED
                        ? ActorType.ACTOR_TYPE_UNSPECIFIED
                        : actor.getType())
                .setSubjectId(actor.getSubjectId())
                .setClientAddress(clientAddress == null ? "" : clientAddress)
                .setUserAgent(
                    agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent))
        .setOccurTime(timestamp(micros(envelope.getOccurredAt())))
        .setRecordTime(timestamp(now))
        .setPayload(payload)
        .setPreviousHash(head.hash())
        .build();
  }

  /** The event name: the last segment of the type ({@code lattice.orders.order_created}). */
  static String action(Envelope envelope) {
    String type = envelope.getType();
    return type.substring(type.lastIndexOf('.') + 1);
  }

  /** Fills {@code row} from {@code record} (the JSON columns are the caller's). */
  static AuditRecordsRecord toRow(AuditRecord record, AuditRecordsRecord row) {
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
  static AuditRecord toRecord(AuditRecordsRecord row) {
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

  private static Instant micros(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos())
        .truncatedTo(ChronoUnit.MICROS);
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static OffsetDateTime utc(Timestamp timestamp) {
    return OffsetDateTime.ofInstant(
        Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()), ZoneOffset.UTC);
  }
}
