package dev.lattice.platform.consumer;

/**
 * Thrown by an {@link EventHandler} when the event can never be handled as it is (it violates an
 * invariant, refers to something that cannot exist): the event is dead-lettered at once with reason
 * {@link DeadLetterCause#PERMANENT_FAILURE} and not redelivered. Wins over any transient cause it
 * wraps. Immutable.
 */
public class PermanentEventException extends RuntimeException {

  /** Creates the exception with a description for logs and the dead letter. */
  public PermanentEventException(String message) {
    super(message);
  }

  /** Creates the exception with a description and the underlying failure. */
  public PermanentEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
