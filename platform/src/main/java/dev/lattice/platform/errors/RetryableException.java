package dev.lattice.platform.errors;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A failure the caller may retry, optionally after a delay the server advises; mapped with a {@code
 * google.rpc.RetryInfo} when the delay is given. Its three kinds ({@link AbortedException}, {@link
 * UnavailableException}, {@link ResourceExhaustedException}) differ only in their status code and
 * take the same parameters, documented here; see {@link LatticeException} for what may go into the
 * reason, message and metadata. Immutable and thread-safe.
 */
public abstract class RetryableException extends LatticeException {

  private final Duration retryDelay;

  /**
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param metadata caller-safe context, lowerCamelCase keys
   * @param retryDelay how long to wait before retrying; null for no advice
   * @param cause internal cause, never sent to the caller; may be null
   * @throws IllegalArgumentException if {@code retryDelay} is negative
   */
  protected RetryableException(
      String reason,
      String message,
      Map<String, String> metadata,
      Duration retryDelay,
      Throwable cause) {
    super(reason, message, metadata, cause);
    if (retryDelay != null && retryDelay.isNegative()) {
      throw new IllegalArgumentException("retryDelay must not be negative: " + retryDelay);
    }
    this.retryDelay = retryDelay;
  }

  @Override
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }
}
