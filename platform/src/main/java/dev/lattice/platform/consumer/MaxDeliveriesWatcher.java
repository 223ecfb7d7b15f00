package dev.lattice.platform.consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import io.nats.client.support.JsonValueUtils;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters messages whose last delivery was never answered: the process died (or hung, or lost
 * NATS) while handling delivery {@code max_deliver}. The server then stops delivering the message
 * and only announces it on {@code $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>};
 * without this watcher the message would silently leave the consumer's view.
 *
 * <p>On an advisory it reads the message from the stream and, unless the consumer's inbox shows the
 * event as processed (it committed but the acknowledgement was lost), publishes it to DEAD_LETTERS
 * with reason {@link DeadLetterCause#MAX_DELIVERIES_EXCEEDED}. All instances of a service subscribe
 * in one queue group, so one of them handles each advisory. Advisories are core NATS messages: one
 * sent while no instance is connected is lost (the message stays in its stream; see the log of
 * {@code nats consumer info}). Thread-safe.
 */
final class MaxDeliveriesWatcher implements AutoCloseable {

  static final String ADVISORY_PREFIX = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.";

  private static final Logger log = LoggerFactory.getLogger(MaxDeliveriesWatcher.class);

  private final Connection nats;
  private final ConsumerSpec spec;
  private final DSLContext dsl;
  private final DeadLetterSender sender;
  private Dispatcher dispatcher;

  MaxDeliveriesWatcher(
      Connection nats, ConsumerSpec spec, DSLContext dsl, DeadLetterSender sender) {
    this.nats = nats;
    this.spec = spec;
    this.dsl = dsl;
    this.sender = sender;
  }

  /** Subscribes; works while disconnected too (the client subscribes on reconnect). */
  synchronized void start() {
    if (dispatcher == null) {
      dispatcher = nats.createDispatcher();
      dispatcher.subscribe(
          ADVISORY_PREFIX + spec.stream() + "." + spec.durableName(),
          "lattice-max-deliveries-" + spec.durableName(),
          advisory ->
              Thread.ofVirtual()
                  .name("max-deliveries-" + spec.durableName())
                  .start(() -> onAdvisory(advisory)));
    }
  }

  private void onAdvisory(Message advisory) {
    long sequence;
    long deliveries;
    try {
      JsonValue json = JsonParser.parse(advisory.getData());
      sequence = JsonValueUtils.readLong(json, "stream_seq", 0);
      deliveries = JsonValueUtils.readLong(json, "deliveries", spec.maxDeliver());
    } catch (JsonParseException e) {
      log.warn(
          "consumer {}: unreadable max-deliveries advisory: {}", spec.durableName(), e.toString());
      return;
    }
    if (sequence > 0) {
      deadLetter(sequence, deliveries);
    }
  }

  /** Dead-letters stream message {@code sequence} unless the inbox shows it processed. */
  void deadLetter(long sequence, long deliveries) {
    MessageInfo original = readOriginal(sequence);
    if (original == null) {
      return;
    }
    Envelope envelope = null;
    try {
      envelope = Envelope.parseFrom(original.getData());
      if (processed(envelope, sequence)) {
        return;
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      // Unparseable: nothing to look up; dead-letter it as it is.
    } catch (DataAccessException e) {
      // The inbox cannot be read (database down): dead-letter it all the same. The server will
      // not deliver it again, so not storing it would lose it; a replay of an event that was
      // processed after all is skipped by the inbox.
      log.warn(
          "consumer {}: {}#{} exhausted its deliveries; the inbox cannot be read ({}), so it is"
              + " dead-lettered unchecked",
          spec.durableName(),
          spec.stream(),
          sequence,
          e.getMessage());
    }
    sender.send(draft(original, sequence, deliveries, envelope), Duration.ofSeconds(30));
  }

  /** Stream message {@code sequence}, or null (logged) if it cannot be read. */
  private MessageInfo readOriginal(long sequence) {
    try {
      JetStreamManagement management = nats.jetStreamManagement();
      return management.getMessage(spec.stream(), sequence);
    } catch (IOException | JetStreamApiException | IllegalStateException e) {
      log.error(
          "consumer {}: {}#{} exhausted its deliveries unanswered but cannot be read ({}); it is"
              + " not dead-lettered",
          spec.durableName(),
          spec.stream(),
          sequence,
          e.toString());
      return null;
    }
  }

  /**
   * Whether the inbox shows the event processed (its ack was lost), logged if so.
   *
   * @throws IllegalArgumentException if the event id is not a UUID
   * @throws DataAccessException if the inbox cannot be read
   */
  private boolean processed(Envelope envelope, long sequence) {
    UUID eventId = UUID.fromString(envelope.getEventId());
    boolean processed =
        dsl.fetchExists(
            DSL.selectOne()
                .from(ProcessedEvents.PROCESSED_EVENTS)
                .where(ProcessedEvents.CONSUMER.eq(spec.durableName()))
                .and(ProcessedEvents.EVENT_ID.eq(eventId)));
    if (processed) {
      log.info(
          "consumer {}: {}#{} exhausted its deliveries but was processed (ack lost); ignored",
          spec.durableName(),
          spec.stream(),
          sequence);
    }
    return processed;
  }

  private DeadLetterDraft draft(
      MessageInfo original, long sequence, long deliveries, Envelope envelope) {
    return new DeadLetterDraft(
        spec.service(),
        spec.durableName(),
        spec.stream(),
        original.getSubject(),
        sequence,
        deliveries,
        original.getData(),
        original.getHeaders(),
        DeadLetterCause.MAX_DELIVERIES_EXCEEDED,
        "delivery "
            + deliveries
            + " was not acknowledged within the ack wait of "
            + spec.ackWait()
            + " (the consumer crashed, hung or lost NATS)",
        envelope == null ? "" : envelope.getEventId(),
        envelope == null ? "" : envelope.getType());
  }

  @Override
  public synchronized void close() {
    if (dispatcher != null) {
      try {
        nats.closeDispatcher(dispatcher);
      } catch (RuntimeException e) {
        // The connection is closed already; the subscription is gone with it.
      }
      dispatcher = null;
    }
  }
}
