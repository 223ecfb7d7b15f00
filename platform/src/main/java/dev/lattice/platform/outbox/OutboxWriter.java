package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_ID;
import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_TYPE;
import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_VERSION;
import static dev.lattice.platform.outbox.OutboxTable.ENVELOPE;
import static dev.lattice.platform.outbox.OutboxTable.EVENTS;
import static dev.lattice.platform.outbox.OutboxTable.EVENT_ID;
import static dev.lattice.platform.outbox.OutboxTable.EVENT_TYPE;
import static dev.lattice.platform.outbox.OutboxTable.HEADERS;
import static dev.lattice.platform.outbox.OutboxTable.ID;
import static dev.lattice.platform.outbox.OutboxTable.SUBJECT;
import static dev.lattice.platform.outbox.OutboxTable.TENANT_ID;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.HeaderJson;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.telemetry.Telemetry;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record2;
import org.jooq.impl.DSL;

/**
 * Writes events into the transactional outbox ({@code outbox_events}), from where {@link
 * OutboxRelay} publishes them to JetStream.
 *
 * <p><b>Call it inside the transaction that makes the state change</b> ({@code dsl.transaction(tx
 * -> ... writer.append(tx.dsl(), event))}): the event then exists if and only if the change
 * committed. Called on a connection in auto-commit mode it throws {@link IllegalStateException}
 * instead of publishing an event for a change that may roll back.
 *
 * <p>For each event it builds the {@link Envelope}: {@code event_id} a fresh UUIDv7, {@code type}
 * the subject {@code lattice.<service>.<event_name>} (as the envelope contract defines it), {@code
 * source} the service, {@code payload} the message packed in an {@code Any}, {@code occurred_at}
 * the event's time or this writer's clock, {@code actor} the event's or, when the event names none,
 * the caller of the current gRPC call ({@link CallActors}). The current OpenTelemetry context
 * ({@code traceparent} …) is stored with the row, so the published message continues the trace of
 * the request that wrote it. Insertion is one statement; the insert trigger notifies listening
 * relays at commit.
 *
 * <p>Thread-safe; one instance per service.
 */
public final class OutboxWriter {

  /**
   * The largest serialized envelope accepted, bytes: NATS's default {@code max_payload} is 1 MiB
   * and the headers need room too. A larger event could never be published and would block its
   * aggregate, so it is refused when written.
   */
  public static final int MAX_ENVELOPE_BYTES = 1_000_000;

  private final String service;
  private final TraceHeaders traceHeaders;
  private final Clock clock;
  private final UuidV7Generator ids;

  /**
   * A writer for events of {@code service}.
   *
   * @param service the producing service, lower snake case (e.g. {@code orders})
   * @param traceHeaders captures the trace context into the row
   * @param clock the time of {@code occurred_at} when the event names none
   * @param ids the event id generator
   */
  public OutboxWriter(String service, TraceHeaders traceHeaders, Clock clock, UuidV7Generator ids) {
    EventSubjects.streamName(service); // validates the name
    this.service = service;
    this.traceHeaders = Objects.requireNonNull(traceHeaders, "traceHeaders");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = Objects.requireNonNull(ids, "ids");
  }

  /** A writer on the system clock with the service's propagator. */
  public static OutboxWriter create(String service, Telemetry telemetry) {
    return new OutboxWriter(
        service, TraceHeaders.of(telemetry), Clock.systemUTC(), new UuidV7Generator());
  }

  /** The producing service. */
  public String service() {
    return service;
  }

  /**
   * Inserts {@code event} into the outbox within {@code tx}'s transaction.
   *
   * @param tx the DSL context of the caller's transaction
   * @return the row as written
   * @throws IllegalStateException if {@code tx} is not inside a transaction
   * @throws IllegalArgumentException if the envelope exceeds {@link #MAX_ENVELOPE_BYTES}
   * @throws org.jooq.exception.DataAccessException if the insert fails (the transaction is then
   *     doomed and should roll back)
   */
  public EventRecord append(DSLContext tx, OutboxEvent event) {
    return appendAll(tx, List.of(event)).get(0);
  }

  /**
   * Inserts {@code events} in one statement within {@code tx}'s transaction, in list order (which
   * becomes their publish order). Same contract as {@link #append}.
   *
   * @return the rows as written, in the order of {@code events}
   */
  public List<EventRecord> appendAll(DSLContext tx, List<OutboxEvent> events) {
    Objects.requireNonNull(tx, "tx");
    if (events.isEmpty()) {
      return List.of();
    }
    requireTransaction(tx);
    JSONB headers = HeaderJson.encode(traceHeaders.capture(Context.current()));
    List<Envelope> envelopes = new ArrayList<>(events.size());
    List<Object[]> rows = new ArrayList<>(events.size());
    for (OutboxEvent event : events) {
      UUID eventId = ids.next();
      Envelope envelope = envelope(event, eventId);
      byte[] bytes = envelope.toByteArray();
      if (bytes.length > MAX_ENVELOPE_BYTES) {
        throw new IllegalArgumentException(
            "event "
                + event.payload().getDescriptorForType().getFullName()
                + " is "
                + bytes.length
                + " bytes serialized; the limit is "
                + MAX_ENVELOPE_BYTES);
      }
      envelopes.add(envelope);
      rows.add(
          new Object[] {
            eventId,
            event.tenantId(),
            event.aggregateType(),
            event.aggregateId(),
            event.aggregateVersion(),
            envelope.getType(),
            event.payload().getDescriptorForType().getFullName(),
            bytes,
            headers
          });
    }
    if (rows.size() == 1) {
      // The common case, one event per state change: the statement rendered once.
      long id = INSERT_ONE.fetch(tx, r -> r.getLong(1), rows.get(0)).get(0);
      Envelope envelope = envelopes.get(0);
      return List.of(
          new EventRecord(
              id, UUID.fromString(envelope.getEventId()), envelope.getType(), envelope));
    }
    var insert = tx.insertInto(EVENTS, COLUMNS).values(Arrays.asList(rows.get(0)));
    for (Object[] row : rows.subList(1, rows.size())) {
      insert = insert.values(Arrays.asList(row));
    }
    Map<UUID, Long> outboxIds = new HashMap<>();
    for (Record2<Long, UUID> row : insert.returningResult(ID, EVENT_ID).fetch()) {
      outboxIds.put(row.value2(), row.value1());
    }
    List<EventRecord> written = new ArrayList<>(envelopes.size());
    for (Envelope envelope : envelopes) {
      UUID eventId = UUID.fromString(envelope.getEventId());
      written.add(new EventRecord(outboxIds.get(eventId), eventId, envelope.getType(), envelope));
    }
    return written;
  }

  /** The columns an outbox row is written with, in the order of each row's values. */
  private static final List<Field<?>> COLUMNS =
      List.of(
          EVENT_ID,
          TENANT_ID,
          AGGREGATE_TYPE,
          AGGREGATE_ID,
          AGGREGATE_VERSION,
          SUBJECT,
          EVENT_TYPE,
          ENVELOPE,
          HEADERS);

  /** One outbox row, returning its id. */
  private static final RenderedStatement INSERT_ONE =
      RenderedStatement.of(
          DSL.insertInto(EVENTS, COLUMNS)
              .values(RenderedStatement.parametersFor(COLUMNS))
              .returningResult(ID),
          RenderedStatement.namesOf(COLUMNS));

  private Envelope envelope(OutboxEvent event, UUID eventId) {
    String subject = EventSubjects.subject(service, event.payload().getDescriptorForType());
    Instant occurred = event.occurredAt().orElseGet(clock::instant);
    Envelope.Builder envelope =
        Envelope.newBuilder()
            .setEventId(eventId.toString())
            .setType(subject)
            .setSource(service)
            .setTenantId(event.tenantId().toString())
            .setAggregateType(event.aggregateType())
            .setAggregateId(event.aggregateId())
            .setAggregateVersion(event.aggregateVersion())
            .setActor(CallActors.resolve(event.actor()))
            .setOccurredAt(
                Timestamp.newBuilder()
                    .setSeconds(occurred.getEpochSecond())
                    .setNanos(occurred.getNano()))
            .setPayload(Any.pack(event.payload()));
    event.causationId().ifPresent(envelope::setCausationId);
    return envelope.build();
  }

  private static void requireTransaction(DSLContext tx) {
    boolean autoCommit = tx.connectionResult(connection -> connection.getAutoCommit());
    if (autoCommit) {
      throw new IllegalStateException(
          "OutboxWriter.append must run inside the transaction of the state change"
              + " (dsl.transaction(tx -> writer.append(tx.dsl(), event)))");
    }
  }
}
