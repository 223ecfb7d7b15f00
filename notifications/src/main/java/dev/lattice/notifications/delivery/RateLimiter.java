package dev.lattice.notifications.delivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;

/**
 * The per-user limit of non-urgent messages (NORMAL and LOW lanes): at most {@code limit} attempts
 * per user in any {@code window}, counted from delivery_attempts so that every dispatcher replica
 * sees the same count. Checks of one user are serialised with a transaction-scoped advisory lock on
 * the user id. A message over the limit is deferred, never dropped: a new one queues behind the
 * messages already waiting, at the first moment the window has room for it after them ({@code
 * window} after the {@code limit}-th latest of the user's recent attempts and waiting slots
 * together); one that waited already and still finds the window full (an attempt before it started
 * late) keeps its place and looks again when the attempt in its way leaves the window. Deferring
 * every waiting message to the moment the oldest attempt leaves the window instead brought them all
 * back at once, to be deferred again but for {@code limit} of them, every window (a user with 1,769
 * waiting messages in {@code ./mesh bench} cost ~30 re-checks a second). Its SQL is in {@link
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
   * recipientId} of {@code tenantId} fits now, else when {@code delivery} is due (its slot, plus a
   * little jitter so replicas and lanes do not meet on the same instant).
   *
   * @param waitedBefore whether the delivery was deferred by this limit before (it keeps its place)
   */
  public Optional<OffsetDateTime> deferral(
      DSLContext tx,
      UUID tenantId,
      UUID recipientId,
      UUID deliveryId,
      boolean waitedBefore,
      OffsetDateTime now) {
    attempts.lockRecipient(tx, recipientId);
    List<OffsetDateTime> recent =
        attempts.nonUrgentStartsSince(tx, tenantId, recipientId, now.minus(window));
    if (recent.size() < limit) {
      return Optional.empty();
    }
    List<OffsetDateTime> timeline = new ArrayList<>(recent);
    if (!waitedBefore) {
      timeline.addAll(
          attempts.latestRateLimitedSlots(tx, tenantId, recipientId, deliveryId, limit));
    }
    timeline.sort(null);
    OffsetDateTime slot = timeline.get(timeline.size() - limit).plus(window);
    long jitter = ThreadLocalRandom.current().nextLong(window.toMillis() / (4L * limit) + 1);
    return Optional.of(slot.plus(Duration.ofMillis(jitter)));
  }
}
