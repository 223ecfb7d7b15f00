package dev.lattice.local;

/**
 * A server fixture could not be started: its binary is missing, it exited, or it did not become
 * ready in time. The message says which, and, when the server wrote a log, ends with the log's last
 * lines.
 */
public class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that is shown to a person as it is. */
  public ServerStartException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the failure that caused it. */
  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
