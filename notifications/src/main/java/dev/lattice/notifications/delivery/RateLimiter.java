package dev.lattice.notifications.delivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;

/**
 * The per-user limit of non-urgent messages (NORMAL and LOW lanes): at most {@code limit} attempts
 * per user in any {@code window}, counted from delivery_attempts so that every dispatcher replica
 * sees the same count. Checks of one user are serialised with a transaction-scoped advisory lock on
 * the user id. A message over the limit is deferred, never dropped. Its SQL is in {@link
 * AttemptStore}. Thread-safe.
 */
public final class RateLimiter {

  private final AttemptStore attempts = new AttemptStore();
  private final int limit;
  private final Duration window;

  /** At most {@code limit} per user per {@code window}. */
  public RateLimiter(int limit, Duration window) {
    this.limit = limit;
    this.window = window;
  }

  /**
   * In {@code tx} (which holds the user's lock until it ends): empty if one more attempt to {@code
   * recipientId} of {@code tenantId} fits now, else when to look again (the oldest counted attempt
   * leaves the window then; plus jitter so deferred messages do not all return at once).
   */
  public Optional<OffsetDateTime> deferral(
      DSLContext tx, UUID tenantId, UUID recipientId, OffsetDateTime now) {
    attempts.lockRecipient(tx, recipientId);
    List<OffsetDateTime> recent =
        attempts.nonUrgentStartsSince(tx, tenantId, recipientId, now.minus(window));
    if (recent.size() < limit) {
      return Optional.empty();
    }
    long jitter = ThreadLocalRandom.current().nextLong(window.toMillis() / 4 + 1);
    return Optional.of(
        recent.get(recent.size() - limit).plus(window).plus(Duration.ofMillis(jitter)));
  }
}
