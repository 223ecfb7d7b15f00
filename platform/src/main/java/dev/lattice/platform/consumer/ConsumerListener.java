package dev.lattice.platform.consumer;

import dev.lattice.events.v1.Envelope;

/**
 * Observes the steps of an {@link EventConsumer} that matter for failure analysis; every method is
 * a no-op by default. Failure tests use it to stop the process at an exact point (for example
 * {@code Runtime.getRuntime().halt(137)} in {@link #afterCommitBeforeAck}).
 *
 * <p>Methods run on the consumer's thread, in the middle of handling a message: keep them short. A
 * runtime exception thrown by a method is logged and ignored.
 */
public interface ConsumerListener {

  /** The listener that does nothing. */
  ConsumerListener NONE = new ConsumerListener() {};

  /**
   * A listener that runs {@code action} each time the consumer has committed an event, before it
   * acknowledges it: how a consumer wakes a worker that picks up what the handler left in the
   * database, once that work is visible.
   */
  static ConsumerListener afterCommit(Runnable action) {
    return new ConsumerListener() {
      @Override
      public void afterCommitBeforeAck(Envelope envelope) {
        action.run();
      }
    };
  }

  /**
   * The handler's transaction (effect and inbox row) committed; the message is not acknowledged
   * yet.
   */
  default void afterCommitBeforeAck(Envelope envelope) {}

  /**
   * The inbox showed that this consumer had already processed the event (a redelivery or replay):
   * the handler did not run; the message is not acknowledged yet.
   */
  default void afterDuplicateBeforeAck(Envelope envelope) {}

  /**
   * The message was published to DEAD_LETTERS and is about to be terminated.
   *
   * @param envelope the envelope, or null when the data could not be parsed
   * @param cause why it was dead-lettered
   */
  default void afterDeadLetter(Envelope envelope, DeadLetterCause cause) {}
}
