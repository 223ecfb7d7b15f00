package dev.lattice.audit.record;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import dev.lattice.audit.chain.ChainHash;
import dev.lattice.audit.store.AuditStore;
import dev.lattice.audit.store.ChainHead;
import dev.lattice.audit.store.StoredRecord;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.consumer.TransactionBatch;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * Recording an event: appends it, redacted, to its tenant's hash chain, unless it is recorded
 * already. Writers of one tenant are serialized by the store's chain lock, held until the caller's
 * transaction ends, so the chain never forks. Thread-safe.
 */
public final class EventRecorder {

  private static final int MAX_USER_AGENT = 256;

  private final AuditStore store;
  private final PayloadRenderer renderer;
  private final UuidV7Generator ids;
  private final Clock clock;

  /**
   * A recorder appending to {@code store}, rendering payloads with {@code renderer}, stamping
   * records with {@code clock} and ids from {@code ids}.
   */
  public EventRecorder(
      AuditStore store, PayloadRenderer renderer, UuidV7Generator ids, Clock clock) {
    this.store = store;
    this.renderer = renderer;
    this.ids = ids;
    this.clock = clock;
  }

  /**
   * Appends {@code envelope} to the chain of {@code tenant} in transaction {@code tx}, which
   * records every event of {@code batch}: the first of them locks the chains of all the batch's
   * tenants at once, in one order, and reads their heads and which of the batch's events are
   * recorded already ({@link AuditStore#lockChains}); the others reuse what it read. The records
   * are written once the batch's last event is handled, before the commit ({@link
   * TransactionBatch#beforeCommit}). The lock and the write run across tenants (decision 0018):
   * they hold the chains of every tenant of the batch; each record carries its event's tenant.
   *
   * @return the record appended; empty when the event was recorded before
   */
  public Optional<AuditRecord> record(
      DSLContext tx, UUID tenant, Envelope envelope, TransactionBatch batch) {
    AuditStore.Chains chains =
        batch.sharedAcrossTenants(
            AuditStore.Chains.class,
            () -> {
              AuditStore.Chains locked = store.lockChains(tx, tenantsOf(batch), eventIdsOf(batch));
              batch.beforeCommitAcrossTenants(locked::flush);
              return locked;
            });
    return append(chains.writer(tenant), tenant, envelope);
  }

  /** The tenants of the batch's events; ids that are no UUID are left out. */
  private static Set<UUID> tenantsOf(TransactionBatch batch) {
    return uuidsOf(batch, Envelope::getTenantId);
  }

  /** The ids of the batch's events; ids that are no UUID are left out. */
  private static Set<UUID> eventIdsOf(TransactionBatch batch) {
    return uuidsOf(batch, Envelope::getEventId);
  }

  private static Set<UUID> uuidsOf(TransactionBatch batch, Function<Envelope, String> id) {
    Set<UUID> ids = new HashSet<>();
    for (Envelope envelope : batch.envelopes()) {
      try {
        ids.add(UUID.fromString(id.apply(envelope)));
      } catch (IllegalArgumentException e) {
        // Dead-lettered by its own handler call; no chain to lock.
      }
    }
    return ids;
  }

  private Optional<AuditRecord> append(
      AuditStore.Chains.Writer log, UUID tenant, Envelope envelope) {
    AuditStore.Tail tail = log.tail(UUID.fromString(envelope.getEventId()));
    if (tail.eventRecorded()) {
      return Optional.empty();
    }
    AuditEntry entry = new AuditEntry(tenant, envelope, renderer.render(envelope));
    ChainHead head = tail.head().orElse(ChainHash.EMPTY_HEAD);
    AuditRecord unhashed =
        newRecord(
            ids.next(),
            head,
            entry,
            log.clientAddress(envelope.getActor().getClientAddress()),
            clock.instant().truncatedTo(ChronoUnit.MICROS));
    AuditRecord record = unhashed.toBuilder().setHash(ChainHash.of(unhashed)).build();
    RenderedPayload payload = entry.payload();
    log.append(new StoredRecord(record, payload.json(), payload.oldValues(), payload.newValues()));
    return Optional.of(record);
  }

  /** The record for {@code entry} following {@code head}, without its hash. */
  static AuditRecord newRecord(
      UUID id, ChainHead head, AuditEntry entry, String clientAddress, Instant now) {
    Envelope envelope = entry.envelope();
    Actor actor = envelope.getActor();
    String agent = actor.getUserAgent();
    Any payload = entry.payload().payload();
    return AuditRecord.newBuilder()
        .setId(id.toString())
        .setTenantId(entry.tenantId().toString())
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
}
