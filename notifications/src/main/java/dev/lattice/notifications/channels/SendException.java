package dev.lattice.notifications.channels;

/**
 * A provider did not accept a message. Transient failures (unreachable, timeouts, 4xx SMTP replies)
 * are retried with backoff; permanent ones (a refused address) fail the delivery at once. Messages
 * name the provider's answer, never the message text.
 */
public final class SendException extends Exception {

  private final String provider;
  private final String code;
  private final boolean transientFailure;

  /**
   * Creates the exception.
   *
   * @param provider the provider that answered
   * @param code a short stable code ({@code smtp_unreachable})
   * @param message the provider's answer
   * @param transientFailure whether a later attempt may succeed
   */
  public SendException(String provider, String code, String message, boolean transientFailure) {
    super(message);
    this.provider = provider;
    this.code = code;
    this.transientFailure = transientFailure;
  }

  /** The provider that answered. */
  public String provider() {
    return provider;
  }

  /** The short stable code. */
  public String code() {
    return code;
  }

  /** Whether a later attempt may succeed. */
  public boolean isTransient() {
    return transientFailure;
  }
}
