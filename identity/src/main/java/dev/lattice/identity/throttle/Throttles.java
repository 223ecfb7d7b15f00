package dev.lattice.identity.throttle;

import dev.lattice.identity.throttle.ThrottleLimits.Limit;
import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.platform.errors.ResourceExhaustedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Fixed-window counters in PostgreSQL, shared by every identity replica. Each call is its own
 * statement outside the caller's transaction: a counted attempt stays counted even when the request
 * then fails. Over the limit: RESOURCE_EXHAUSTED, reason RATE_LIMITED, with RetryInfo saying when
 * the window ends. Its SQL is in {@link ThrottleStore}. Thread-safe.
 */
public final class Throttles {

  /** ErrorInfo reason of a throttled call. */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  private final DSLContext dsl;
  private final ThrottleLimits limits;
  private final Clock clock;

  public Throttles(DSLContext dsl, ThrottleLimits limits, Clock clock) {
    this.dsl = dsl;
    this.limits = limits;
    this.clock = clock;
  }

  /** The key of one mailbox of one tenant. */
  public static String accountKey(UUID tenantId, String normalizedEmail) {
    return tenantId + "|" + normalizedEmail;
  }

  /**
   * Counts an attempt and refuses it when it exceeds the limit (message flows: every attempt
   * counts, successful or not).
   */
  public void hit(ThrottleAction action, ThrottleScope scope, String key) {
    Optional<Limit> limit = limits.limit(action, scope);
    if (limit.isEmpty()) {
      return;
    }
    ThrottleWindow window = increment(action, scope, key, limit.get());
    if (window.count() > limit.get().count()) {
      throw exhausted(window, limit.get());
    }
  }

  /** Refuses the call when earlier counted failures reached the limit (does not count). */
  public void check(ThrottleAction action, ThrottleScope scope, String key) {
    Optional<Limit> limit = limits.limit(action, scope);
    if (limit.isEmpty()) {
      return;
    }
    OffsetDateTime windowFloor = now().minus(limit.get().window());
    Optional<ThrottleWindow> window =
        ThrottleStore.findOpen(dsl, action, scope, digest(key), windowFloor);
    if (window.isPresent() && window.get().count() >= limit.get().count()) {
      throw exhausted(window.get(), limit.get());
    }
  }

  /** Counts a failure (sign-in flows), without refusing this call. */
  public void recordFailure(ThrottleAction action, ThrottleScope scope, String key) {
    limits.limit(action, scope).ifPresent(limit -> increment(action, scope, key, limit));
  }

  /** Forgets the failures counted for {@code key}, after a success. */
  public void reset(ThrottleAction action, ThrottleScope scope, String key) {
    ThrottleStore.delete(dsl, action, scope, digest(key));
  }

  /** Deletes counters idle for longer than {@code idle}; returns how many. */
  public int purgeIdle(Duration idle) {
    return ThrottleStore.deleteIdleSince(dsl, now().minus(idle));
  }

  private ThrottleWindow increment(
      ThrottleAction action, ThrottleScope scope, String key, Limit limit) {
    OffsetDateTime now = now();
    return ThrottleStore.increment(dsl, action, scope, digest(key), now, now.minus(limit.window()));
  }

  private ResourceExhaustedException exhausted(ThrottleWindow window, Limit limit) {
    Duration retry = Duration.between(now(), window.start().plus(limit.window()));
    if (retry.isNegative() || retry.isZero()) {
      retry = Duration.ofSeconds(1);
    }
    return new ResourceExhaustedException(
        RATE_LIMITED,
        "too many attempts; retry later",
        Map.of("retryAfterSeconds", Long.toString(Math.max(1, retry.toSeconds()))),
        retry,
        null);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private static byte[] digest(String key) {
    return OpaqueTokens.sha256(key.getBytes(StandardCharsets.UTF_8));
  }
}
