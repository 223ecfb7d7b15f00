package dev.lattice.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * The caller exceeded a quota or rate limit; the retry delay says when the bucket refills. Maps to
 * {@code RESOURCE_EXHAUSTED}.
 *
 * <p>The constructors are {@link RetryableException}'s, whose documentation gives the meaning of
 * each parameter. Immutable and thread-safe.
 */
public class ResourceExhaustedException extends RetryableException {

  /** Without retry advice. */
  public ResourceExhaustedException(String reason, String message) {
    this(reason, message, null);
  }

  /** Advising a retry after {@code retryDelay} (null: no advice). */
  public ResourceExhaustedException(String reason, String message, Duration retryDelay) {
    this(reason, message, Map.of(), retryDelay, null);
  }

  /** With every detail. */
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
