package dev.lattice.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * The operation lost a concurrency race and may succeed if retried: a stale {@code version}
 * (optimistic lock), a serialization failure that exhausted its retries, or an idempotency key
 * whose first request is still running. Maps to {@code ABORTED}.
 *
 * <p>The constructors are {@link RetryableException}'s, whose documentation gives the meaning of
 * each parameter. Immutable and thread-safe.
 */
public class AbortedException extends RetryableException {

  /** Without retry advice. */
  public AbortedException(String reason, String message) {
    this(reason, message, null);
  }

  /** Advising a retry after {@code retryDelay} (null: no advice). */
  public AbortedException(String reason, String message, Duration retryDelay) {
    this(reason, message, Map.of(), retryDelay, null);
  }

  /** With every detail. */
  public AbortedException(
      String reason,
      String message,
      Map<String, String> metadata,
      Duration retryDelay,
      Throwable cause) {
    super(reason, message, metadata, retryDelay, cause);
  }

  @Override
  public Status.Code code() {
    return Status.Code.ABORTED;
  }
}
