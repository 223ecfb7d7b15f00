package dev.lattice.chaos;

import io.grpc.Status;
import java.time.Duration;
import java.util.Set;

/**
 * What a well-behaved client retries, and how long it waits. A call is retried under the same
 * idempotency key only when its outcome is unknown or nothing happened: {@code UNAVAILABLE} (no
 * replica serving, or the contract's "retry with the same key"), {@code DEADLINE_EXCEEDED} (the
 * outcome is unknown; the key makes the retry safe), {@code ABORTED} (the same key is still in
 * flight, or a stale version) and {@code RESOURCE_EXHAUSTED} (rate limited). Everything else is an
 * answer.
 */
final class Retries {

  private static final Set<Status.Code> TRANSIENT =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.ABORTED,
          Status.Code.RESOURCE_EXHAUSTED);

  private Retries() {}

  static boolean transientCode(Status.Code code) {
    return TRANSIENT.contains(code);
  }

  /** A client's back-off between attempts, not a test wait. */
  static void pause(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
