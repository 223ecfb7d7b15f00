package dev.lattice.platform.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, for the retries a service schedules itself (payments' provider
 * calls, notifications' deliveries): after attempt {@code n} (1-based) the pause is a random value
 * between half and all of {@code min(max, base * 2^(n-1))}, so work that failed together does not
 * retry together. Immutable and thread-safe.
 *
 * @param base the pause after the first attempt (before jitter)
 * @param max the longest pause
 */
public record Backoff(Duration base, Duration max) {

  /** The pause after attempt {@code attempts}. */
  public Duration after(int attempts) {
    int exponent = Math.max(0, Math.min(attempts - 1, 20));
    long ceiling = Math.min(max.toMillis(), base.toMillis() * (1L << exponent));
    long half = ceiling / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
  }
}
