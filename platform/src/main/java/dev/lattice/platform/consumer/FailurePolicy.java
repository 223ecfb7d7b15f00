package dev.lattice.platform.consumer;

import dev.lattice.events.v1.Envelope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ack/nak policy for a delivery that failed or cannot be processed, as {@link EventConsumer}
 * documents: a transient failure is naked with the spec's backoff until the last delivery, anything
 * else is dead-lettered and then terminated, and a dead letter that cannot be stored leaves the
 * original naked, never dropped. Used by one consumer thread; its collaborators are thread-safe.
 */
final class FailurePolicy {

  // Logs under the processor's name, as before the policy had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(MessageProcessor.class);

  private final ConsumerSpec spec;
  private final DeadLetterSender deadLetters;
  private final ConsumerListener listener;
  private final ConsumerMetrics metrics;

  FailurePolicy(
      ConsumerSpec spec,
      DeadLetterSender deadLetters,
      ConsumerListener listener,
      ConsumerMetrics metrics) {
    this.spec = spec;
    this.deadLetters = deadLetters;
    this.listener = listener;
    this.metrics = metrics;
  }

  /** Settles a delivery whose inbox transaction failed after {@code nanos}. */
  void failed(
      io.nats.client.Message message,
      JetStreamDelivery delivery,
      Envelope envelope,
      Throwable failure,
      long nanos,
      Span span) {
    FailureClassifier.Kind kind = FailureClassifier.classify(failure);
    String error = describe(failure);
    metrics.handlerDuration(
        nanos,
        kind == FailureClassifier.Kind.TRANSIENT ? "transient_failure" : "permanent_failure");
    span.recordException(failure);
    span.setStatus(StatusCode.ERROR, error);
    if (kind == FailureClassifier.Kind.PERMANENT) {
      deadLetter(message, delivery, envelope, DeadLetterCause.PERMANENT_FAILURE, error, span);
    } else if (delivery.count() >= spec.maxDeliver()) {
      deadLetter(message, delivery, envelope, DeadLetterCause.MAX_DELIVERIES_EXCEEDED, error, span);
    } else {
      Duration delay = spec.backoffAfter(delivery.count());
      log.info(
          "consumer {}: event {} failed transiently on delivery {} of {}, retrying in {}: {}",
          spec.durableName(),
          envelope.getEventId(),
          delivery.count(),
          spec.maxDeliver(),
          delay,
          error);
      Acks.nak(message, delivery, delay);
    }
  }

  /** Stores a dead letter, then terminates the original; naks it if the letter is not stored. */
  void deadLetter(
      io.nats.client.Message message,
      JetStreamDelivery delivery,
      Envelope envelope,
      DeadLetterCause cause,
      String error,
      Span span) {
    span.setAttribute("lattice.dead_letter.reason", cause.name());
    if (deadLetters.send(message, delivery, envelope, cause, error)) {
      try {
        listener.afterDeadLetter(envelope, cause);
      } catch (RuntimeException e) {
        log.warn("consumer {}: listener failed; ignored", spec.durableName(), e);
      }
      Acks.term(message, delivery);
    } else {
      // Not stored: never drop the original. It comes back after the backoff (or, after its
      // last delivery, through the max-deliveries advisory).
      Acks.nak(message, delivery, spec.backoffAfter(delivery.count()));
    }
  }

  /** "SimpleClassName: message", and the root cause's when it differs; no stack trace. */
  static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder(failure.getClass().getSimpleName());
    if (failure.getMessage() != null) {
      text.append(": ").append(failure.getMessage());
    }
    Throwable root = failure;
    for (int depth = 0; root.getCause() != null && depth < 32; depth++) {
      root = root.getCause();
    }
    if (root != failure
        && root.getMessage() != null
        && (failure.getMessage() == null || !failure.getMessage().contains(root.getMessage()))) {
      text.append(" (caused by ")
          .append(root.getClass().getSimpleName())
          .append(": ")
          .append(root.getMessage())
          .append(')');
    }
    return text.toString();
  }
}
