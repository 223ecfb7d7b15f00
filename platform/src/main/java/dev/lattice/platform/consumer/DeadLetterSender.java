package dev.lattice.platform.consumer;

import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.errors.UnavailableException;
import io.nats.client.Message;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a consumer's dead letters, retrying while NATS is briefly unreachable (for at most the
 * ack wait: the in-progress ticks keep the original from being redelivered meanwhile). Thread-safe.
 */
final class DeadLetterSender {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterSender.class);
  private static final long FIRST_PAUSE_MILLIS = 100;
  private static final long MAX_PAUSE_MILLIS = 2_000;

  private final ConsumerSpec spec;
  private final DeadLetters deadLetters;
  private final ConsumerMetrics metrics;

  DeadLetterSender(ConsumerSpec spec, DeadLetters deadLetters, ConsumerMetrics metrics) {
    this.spec = spec;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  /**
   * Dead-letters a delivered message.
   *
   * @return true once DEAD_LETTERS acknowledged it; false if it could not be stored in time
   */
  boolean send(
      Message message,
      JetStreamDelivery delivery,
      Envelope envelope,
      DeadLetterCause cause,
      String error) {
    DeadLetterDraft draft =
        new DeadLetterDraft(
            spec.service(),
            spec.durableName(),
            delivery.stream(),
            message.getSubject(),
            delivery.streamSequence(),
            delivery.count(),
            message.getData(),
            message.getHeaders(),
            cause,
            error,
            envelope == null ? "" : envelope.getEventId(),
            envelope == null ? "" : envelope.getType());
    return send(draft, spec.ackWait());
  }

  /** Publishes {@code draft}, retrying for up to {@code patience}; true once stored. */
  boolean send(DeadLetterDraft draft, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      try {
        StoredDeadLetter stored = deadLetters.publish(draft);
        metrics.deadLettered(draft.cause());
        log.warn(
            "consumer {}: dead-lettered {}#{} on {} (event {}, delivery {}) as {}: {}; id {}",
            draft.consumer(),
            draft.stream(),
            draft.streamSequence(),
            draft.subject(),
            draft.eventId().isEmpty() ? "?" : draft.eventId(),
            draft.deliveryCount(),
            draft.cause(),
            DeadLetterCodec.sanitize(draft.error()),
            stored.id());
        return true;
      } catch (UnavailableException e) {
        if (System.nanoTime() + pause * 1_000_000 > deadline) {
          log.error(
              "consumer {}: cannot dead-letter {}#{} ({}); leaving it to be redelivered",
              draft.consumer(),
              draft.stream(),
              draft.streamSequence(),
              e.getCause() == null ? e.getMessage() : e.getCause().toString());
          return false;
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
        pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
      }
    }
  }
}
