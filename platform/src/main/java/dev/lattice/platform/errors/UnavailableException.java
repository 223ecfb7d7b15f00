package dev.lattice.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * A dependency is temporarily unreachable; the same request may succeed later. Only idempotent
 * operations should be retried automatically. Maps to {@code UNAVAILABLE}.
 *
 * <p>The constructors are {@link RetryableException}'s, whose documentation gives the meaning of
 * each parameter. Immutable and thread-safe.
 */
public class UnavailableException extends RetryableException {

  /** Without retry advice. */
  public UnavailableException(String reason, String message) {
    this(reason, message, null);
  }

  /** Advising a retry after {@code retryDelay} (null: no advice). */
  public UnavailableException(String reason, String message, Duration retryDelay) {
    this(reason, message, Map.of(), retryDelay, null);
  }

  /** With every detail. */
  public UnavailableException(
      String reason,
      String message,
      Map<String, String> metadata,
      Duration retryDelay,
      Throwable cause) {
    super(reason, message, metadata, retryDelay, cause);
  }

  @Override
  public Status.Code code() {
    return Status.Code.UNAVAILABLE;
  }
}
