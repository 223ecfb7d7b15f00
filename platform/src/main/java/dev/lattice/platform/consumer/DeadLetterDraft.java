package dev.lattice.platform.consumer;

import io.nats.client.impl.Headers;
import java.util.Objects;

/**
 * A message a consumer gives up on, as handed to {@link DeadLetters#publish}. Immutable apart from
 * the arrays and headers it refers to, which must not change afterwards.
 *
 * @param service the consuming service
 * @param consumer the durable consumer
 * @param stream the stream the message came from
 * @param subject the subject it was published on
 * @param streamSequence its sequence in {@code stream}
 * @param deliveryCount how many times the consumer received it
 * @param data the message data, unchanged
 * @param headers the message headers; null when it had none
 * @param cause why it is dead-lettered
 * @param error the last error, free text; sanitised and trimmed on publish
 * @param eventId Envelope.event_id, empty when unknown
 * @param eventType Envelope.type, empty when unknown
 */
record DeadLetterDraft(
    String service,
    String consumer,
    String stream,
    String subject,
    long streamSequence,
    long deliveryCount,
    byte[] data,
    Headers headers,
    DeadLetterCause cause,
    String error,
    String eventId,
    String eventType) {

  DeadLetterDraft {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(subject, "subject");
    data = data == null ? new byte[0] : data;
    Objects.requireNonNull(cause, "cause");
    error = error == null ? "" : error;
    eventId = eventId == null ? "" : eventId;
    eventType = eventType == null ? "" : eventType;
  }

  /**
   * The JetStream message id of this dead letter, so that a consumer that dies between publishing
   * it and terminating the original does not store it twice when it fails again. Distinct per
   * original stream message, so a later failure of a replayed copy is stored again.
   */
  String deduplicationId() {
    return "dl:" + stream + ":" + streamSequence + ":" + consumer;
  }
}
