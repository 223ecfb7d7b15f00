package dev.lattice.platform.consumer;

/**
 * Thrown by an {@link EventHandler} when handling failed for a reason that may pass (a dependency
 * is down, a resource is busy): the event is redelivered after the consumer's backoff, and
 * dead-lettered with reason {@link DeadLetterCause#MAX_DELIVERIES_EXCEEDED} once its deliveries are
 * exhausted. Immutable.
 */
public class TransientEventException extends RuntimeException {

  /** Creates the exception with a description for logs and the dead letter. */
  public TransientEventException(String message) {
    super(message);
  }

  /** Creates the exception with a description and the underlying failure. */
  public TransientEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
