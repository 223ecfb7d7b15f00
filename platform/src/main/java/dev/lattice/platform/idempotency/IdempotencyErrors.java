package dev.lattice.platform.idempotency;

import dev.lattice.platform.errors.AbortedException;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.time.Duration;
import java.util.Map;

/** The stable {@code ErrorInfo} reasons of idempotency-key failures, and their exceptions. */
public final class IdempotencyErrors {

  /** An RPC that requires a key got none ({@code INVALID_ARGUMENT}). */
  public static final String KEY_MISSING = "IDEMPOTENCY_KEY_MISSING";

  /** The key is empty, too long, not printable ASCII or sent twice ({@code INVALID_ARGUMENT}). */
  public static final String KEY_INVALID = "IDEMPOTENCY_KEY_INVALID";

  /** The key was used before with a different request ({@code ALREADY_EXISTS}). */
  public static final String KEY_REUSED = "IDEMPOTENCY_KEY_REUSED";

  /** The first call with this key still runs ({@code ABORTED}, with {@code RetryInfo}). */
  public static final String KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE";

  /**
   * The call's claim on the key was taken over by a retry after its lease ran out, so its result
   * must not be stored ({@code ABORTED}, with {@code RetryInfo}); the business transaction that
   * tried to complete it rolls back.
   */
  public static final String CLAIM_LOST = "IDEMPOTENCY_CLAIM_LOST";

  /** How long a caller should wait before retrying an {@code ABORTED} key. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(1);

  private IdempotencyErrors() {}

  static InvalidArgumentException missing() {
    return InvalidArgumentException.forField(
        KEY_MISSING, IdempotencyKeys.FIELD, "required by this method");
  }

  static InvalidArgumentException invalid(String description) {
    return InvalidArgumentException.forField(KEY_INVALID, IdempotencyKeys.FIELD, description);
  }

  static AlreadyExistsException reused() {
    return new AlreadyExistsException(
        KEY_REUSED, "the idempotency key was already used with a different request");
  }

  static AbortedException inUse() {
    return new AbortedException(
        KEY_IN_USE, "a call with this idempotency key is still running", RETRY_DELAY);
  }

  static AbortedException claimLost() {
    return new AbortedException(
        CLAIM_LOST,
        "the call took too long and its idempotency key was taken over by a retry",
        Map.of(),
        RETRY_DELAY,
        null);
  }
}
