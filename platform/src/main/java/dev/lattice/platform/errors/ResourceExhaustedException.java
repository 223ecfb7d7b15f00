package dev.lattice.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * The caller exceeded a quota or rate limit; the retry delay says when the bucket refills.
 *
 * <p>Maps to {@code RESOURCE_EXHAUSTED}, with a {@code google.rpc.RetryInfo} when a retry delay is
 * given. Immutable and thread-safe; see {@link LatticeException} for what may go into the reason,
 * message and metadata.
 */
public class ResourceExhaustedException extends RetryableException {

  /**
   * Creates the exception without retry advice.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   */
  public ResourceExhaustedException(String reason, String message) {
    this(reason, message, null);
  }

  /**
   * Creates the exception advising the caller to retry after {@code retryDelay}.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param retryDelay how long to wait before retrying; null for no advice
   */
  public ResourceExhaustedException(String reason, String message, Duration retryDelay) {
    this(reason, message, Map.of(), retryDelay, null);
  }

  /**
   * Creates the exception with every detail.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param metadata caller-safe context, lowerCamelCase keys
   * @param retryDelay how long to wait before retrying; null for no advice
   * @param cause internal cause, never sent to the caller; may be null
   * @throws IllegalArgumentException if {@code retryDelay} is negative
   */
  public ResourceExhaustedException(
      String reason,
      String message,
      Map<String, String> metadata,
      Duration retryDelay,
      Throwable cause) {
    super(reason, message, metadata, retryDelay, cause);
  }

  @Override
  public Status.Code code() {
    return Status.Code.RESOURCE_EXHAUSTED;
  }
}
