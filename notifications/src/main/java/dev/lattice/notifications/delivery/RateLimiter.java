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
 * late) keeps its place: it goes after the recent attempts and after the waiting slots that come
 * before its own new slot, which can move that slot on and take in more of them. Counting only the
 * attempts there let every waited message that looked in the same window take the same instant, and
 * all but one of them were deferred a third time (153 deferrals for 74 waiting messages under CI
 * load in {@code NotificationsIT}). Deferring every waiting message to the moment the oldest
 * attempt leaves the window instead brought them all back at once, to be deferred again but for
 * {@code limit} of them, every window (a user with 1,769 waiting messages in {@code ./mesh bench}
 * cost ~30 re-checks a second). A check reads the user's latest {@code limit} attempts in the
 * window and at most {@code 4 * limit} waiting slots, however many messages wait. Its SQL is in
 * {@link AttemptStore}. Thread-safe.
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
        attempts.latestLimitedStarts(tx, tenantId, recipientId, now.minus(window), limit);
    if (recent.size() < limit) {
      return Optional.empty();
    }
    List<OffsetDateTime> waiting =
        waitedBefore
            ? attempts.earliestRateLimitedSlots(
                tx, tenantId, recipientId, deliveryId, now.minus(window), 4 * limit)
            : attempts.latestRateLimitedSlots(tx, tenantId, recipientId, deliveryId, limit);
    OffsetDateTime slot = slot(recent, waiting, waitedBefore, limit, window);
    long jitter = ThreadLocalRandom.current().nextLong(window.toMillis() / (4L * limit) + 1);
    return Optional.of(slot.plus(Duration.ofMillis(jitter)));
  }

  /**
   * The first moment a deferred message may start: {@code window} after the {@code limit}-th latest
   * of the instants before it. A new message ({@code keepsPlace} false) goes after all of {@code
   * recent} and {@code waiting} (the latest waiting slots); one that waited already goes after
   * {@code recent} and those of {@code waiting} (the earliest waiting slots, ascending) that come
   * no later than its slot, taken in until the slot stops moving.
   *
   * @param recent the latest attempts in the window, at least {@code limit} of them (only the
   *     latest {@code limit} count)
   */
  static OffsetDateTime slot(
      List<OffsetDateTime> recent,
      List<OffsetDateTime> waiting,
      boolean keepsPlace,
      int limit,
      Duration window) {
    List<OffsetDateTime> before = new ArrayList<>(recent);
    if (!keepsPlace) {
      before.addAll(waiting);
      before.sort(null);
      return before.get(before.size() - limit).plus(window);
    }
    before.sort(null);
    OffsetDateTime slot = before.get(before.size() - limit).plus(window);
    for (OffsetDateTime next : waiting) {
      if (next.isAfter(slot)) {
        break;
      }
      before.add(next);
      before.sort(null);
      slot = before.get(before.size() - limit).plus(window);
    }
    return slot;
  }
}
