package dev.lattice.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A domain failure that callers are allowed to see.
 *
 * <p>Every subclass fixes one gRPC {@link Status.Code}. The {@linkplain #reason() reason} is a
 * stable, machine-readable identifier in UPPER_SNAKE_CASE (for example {@code ORDER_NOT_FOUND});
 * clients branch on it, so once published it must not change. The {@linkplain #getMessage()
 * message} and {@linkplain #metadata() metadata} reach the caller verbatim through {@link
 * ErrorMapper}: they must never contain SQL, stack traces, class names, secrets or data of another
 * tenant. Put anything internal into the {@linkplain #getCause() cause}, which is never sent.
 *
 * <p>Instances are immutable and safe to share between threads. Stack traces are not captured for
 * domain failures: they are expected outcomes, not bugs, and the cost would be paid on hot paths.
 */
public abstract class LatticeException extends RuntimeException {

  private static final Pattern REASON = Pattern.compile("[A-Z][A-Z0-9_]{0,61}[A-Z0-9]");

  private final String reason;
  private final Map<String, String> metadata;

  /**
   * Creates the exception.
   *
   * @param reason UPPER_SNAKE_CASE, 2–63 characters, such as {@code EMAIL_TAKEN}
   * @param message a caller-safe, human-readable description
   * @param metadata caller-safe key/value context for {@code google.rpc.ErrorInfo.metadata}; keys
   *     should be lowerCamelCase (for example {@code orderId})
   * @param cause the internal cause, logged but never sent to the caller; may be null
   * @throws IllegalArgumentException if {@code reason} is not UPPER_SNAKE_CASE
   */
  protected LatticeException(
      String reason, String message, Map<String, String> metadata, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause, false, false);
    if (!REASON.matcher(Objects.requireNonNull(reason, "reason")).matches()) {
      throw new IllegalArgumentException("reason must be UPPER_SNAKE_CASE: " + reason);
    }
    this.reason = reason;
    this.metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  /** The gRPC status code this failure maps to. */
  public abstract Status.Code code();

  /** The stable UPPER_SNAKE_CASE reason, sent as {@code google.rpc.ErrorInfo.reason}. */
  public final String reason() {
    return reason;
  }

  /** Caller-safe context, sent as {@code google.rpc.ErrorInfo.metadata}; immutable. */
  public final Map<String, String> metadata() {
    return metadata;
  }

  /**
   * How long the caller should wait before retrying, sent as {@code google.rpc.RetryInfo}; empty
   * when a retry is not advised (the default).
   */
  public Optional<Duration> retryDelay() {
    return Optional.empty();
  }
}
