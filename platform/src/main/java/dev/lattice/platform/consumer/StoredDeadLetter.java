package dev.lattice.platform.consumer;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A dead letter as stored in the DEAD_LETTERS stream, decoded from its headers. Immutable (the data
 * array is not copied: treat it as read-only).
 *
 * @param id the dead letter id, a UUIDv7 that locates it (see {@link DeadLetters#replay})
 * @param sequence its sequence in DEAD_LETTERS; the keyset of {@link DeadLetters#list}
 * @param service the consuming service that gave up
 * @param consumer the durable consumer that gave up
 * @param stream the stream the event came from
 * @param subject the subject the event was published on
 * @param streamSequence the event's sequence in {@code stream}
 * @param eventId Envelope.event_id; empty when the data did not parse
 * @param eventType Envelope.type; empty when the data did not parse
 * @param cause why it was dead-lettered
 * @param errorMessage the last error, at most 1000 characters; empty if none
 * @param deliveryCount how many times the consumer received it
 * @param failTime when it was dead-lettered
 * @param data the original message data, unchanged
 * @param originalHeaders the original message's headers, {@code Nats-Msg-Id} included
 * @param replayCount how many times the event had been replayed before this failure, or (on the
 *     result of {@link DeadLetters#replay}) including that replay
 * @param lastReplayTime when it was last replayed, if ever
 * @param pending true while it waits in DEAD_LETTERS; false on the result of a replay, after which
 *     it is no longer stored
 */
public record StoredDeadLetter(
    String id,
    long sequence,
    String service,
    String consumer,
    String stream,
    String subject,
    long streamSequence,
    String eventId,
    String eventType,
    DeadLetterCause cause,
    String errorMessage,
    long deliveryCount,
    Instant failTime,
    byte[] data,
    Map<String, List<String>> originalHeaders,
    int replayCount,
    Optional<Instant> lastReplayTime,
    boolean pending) {

  /** Checks for nulls and copies the header map. */
  public StoredDeadLetter {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(errorMessage, "errorMessage");
    Objects.requireNonNull(failTime, "failTime");
    Objects.requireNonNull(data, "data");
    originalHeaders = Map.copyOf(Objects.requireNonNull(originalHeaders, "originalHeaders"));
    Objects.requireNonNull(lastReplayTime, "lastReplayTime");
  }

  /** This dead letter as just replayed at {@code replayTime}: no longer pending, count + 1. */
  StoredDeadLetter replayed(Instant replayTime) {
    return new StoredDeadLetter(
        id,
        sequence,
        service,
        consumer,
        stream,
        subject,
        streamSequence,
        eventId,
        eventType,
        cause,
        errorMessage,
        deliveryCount,
        failTime,
        data,
        originalHeaders,
        replayCount + 1,
        Optional.of(replayTime),
        false);
  }
}
