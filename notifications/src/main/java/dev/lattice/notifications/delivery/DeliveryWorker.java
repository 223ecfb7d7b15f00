package dev.lattice.notifications.delivery;

import dev.lattice.notifications.channels.MessageSender;
import dev.lattice.notifications.channels.OutgoingMessage;
import dev.lattice.notifications.channels.SendException;
import dev.lattice.notifications.channels.SendResult;
import dev.lattice.notifications.events.NotificationsEvents;
import dev.lattice.notifications.messages.Priority;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.ErrorMapper;
import dev.lattice.platform.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries. {@link #claim} leases a batch of one lane ({@code FOR UPDATE SKIP LOCKED};
 * the lease is next_attempt_time pushed out, so a crashed worker's delivery comes back). {@link
 * #process} then, per delivery: checks the per-user rate limit (non-urgent lanes; over the limit it
 * is deferred without using an attempt), records the attempt, calls the provider with no
 * transaction open, and records the answer: SENT (text and address cleared, NotificationSent), a
 * transient failure retried after {@link Backoff} until the last attempt, or FAILED
 * (NotificationFailed; it then lists under ListDeliveries status FAILED). last_error_* keep the
 * last failure or deferral even after a later success, for support. A delivery whose lease was
 * taken over meanwhile is left alone. Its SQL is in {@link DeliveryStore} and {@link AttemptStore}.
 * Thread-safe; several workers (replicas) may run.
 */
public final class DeliveryWorker {

  /** last_error_code of a delivery the rate limit deferred. */
  public static final String RATE_LIMITED = "rate_limited";

  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final int MAX_ERROR_LENGTH = 500;

  private final DeliveryStore deliveries = new DeliveryStore();
  private final AttemptStore attempts = new AttemptStore();
  private final DSLContext dsl;
  private final Map<String, MessageSender> senders;
  private final RateLimiter rateLimiter;
  private final NotificationsEvents events;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Duration lease;
  private final Clock clock;

  /**
   * A worker.
   *
   * @param senders the provider per channel name ({@code EMAIL})
   */
  public DeliveryWorker(
      DSLContext dsl,
      Map<String, MessageSender> senders,
      RateLimiter rateLimiter,
      NotificationsEvents events,
      Backoff backoff,
      int maxAttempts,
      Duration lease,
      Clock clock) {
    this.dsl = dsl;
    this.senders = Map.copyOf(senders);
    this.rateLimiter = rateLimiter;
    this.events = events;
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
    this.lease = lease;
    this.clock = clock;
  }

  /**
   * Leases up to {@code batch} due deliveries of {@code lanes}, NORMAL before LOW, oldest due
   * first, whoever's they are: the dispatcher's claim runs across tenants (decision 0018); each
   * claimed delivery is then worked on in a transaction of its own tenant.
   */
  List<Delivery> claim(Collection<Priority> lanes, int batch) {
    OffsetDateTime now = now();
    return Transactions.acrossTenants(
        dsl, tx -> deliveries.claim(tx, lanes, batch, now, now.plus(lease)));
  }

  /** Works one claimed delivery to its next state. */
  void process(Delivery claim) {
    try {
      Optional<Delivery> started = start(claim);
      if (started.isEmpty()) {
        return;
      }
      Delivery delivery = started.get();
      MessageSender sender = senders.get(delivery.channel());
      OutgoingMessage message =
          new OutgoingMessage(
              delivery.id().toString(),
              delivery.destination(),
              delivery.renderedSubject(),
              delivery.renderedBody());
      try {
        SendResult result = sender.send(message);
        finish(delivery, result, null);
      } catch (SendException e) {
        log.info(
            "attempt {} of delivery {} via {} failed: {} {}",
            delivery.attemptCount(),
            delivery.id(),
            e.provider(),
            e.code(),
            e.getMessage());
        finish(delivery, null, e);
      }
    } catch (RuntimeException e) {
      Optional<String> database = ErrorMapper.databaseUnavailableCause(e);
      if (database.isPresent()) {
        // Saturation or an outage, not a bug: one line, no stack trace.
        log.warn(
            "delivery {} paused, the database out of reach: {}; it is retried when its lease ends",
            claim.id(),
            database.get());
      } else {
        log.error(
            "delivery {} failed unexpectedly; it is retried when its lease ends", claim.id(), e);
      }
    }
  }

  /**
   * Checks the rate limit and records the attempt; empty when the delivery is deferred or no longer
   * this worker's.
   */
  private Optional<Delivery> start(Delivery claim) {
    return Transactions.inTenantTransaction(
        dsl,
        claim.tenantId(),
        tx -> {
          Optional<Delivery> locked =
              deliveries.lockLeased(tx, claim.id(), claim.nextAttemptTime());
          if (locked.isEmpty()) {
            return Optional.empty();
          }
          Delivery delivery = locked.get();
          OffsetDateTime now = now();
          if (delivery.priority() != Priority.HIGH) {
            Optional<OffsetDateTime> deferUntil =
                rateLimiter.deferral(
                    tx,
                    delivery.tenantId(),
                    delivery.recipientId(),
                    delivery.id(),
                    RATE_LIMITED.equals(delivery.lastErrorCode()),
                    now);
            if (deferUntil.isPresent()) {
              deliveries.defer(
                  tx,
                  delivery.id(),
                  deferUntil.get(),
                  RATE_LIMITED,
                  "deferred by the per-user rate limit",
                  now);
              return Optional.empty();
            }
          }
          int attempt = delivery.attemptCount() + 1;
          attempts.start(
              tx,
              delivery.id(),
              attempt,
              delivery.tenantId(),
              delivery.recipientId(),
              delivery.priority() != Priority.HIGH && !delivery.channel().equals("IN_APP"),
              senders.get(delivery.channel()).name(),
              now);
          return Optional.of(deliveries.startAttempt(tx, delivery.id(), attempt, now));
        });
  }

  /** Records the provider's answer: {@code result} on success, else {@code failure}. */
  private void finish(Delivery claim, SendResult result, SendException failure) {
    Transactions.inTenantTransaction(
        dsl,
        claim.tenantId(),
        tx -> {
          Optional<Delivery> locked =
              deliveries.lockLeased(tx, claim.id(), claim.nextAttemptTime());
          if (locked.isEmpty()) {
            return null;
          }
          Delivery delivery = locked.get();
          OffsetDateTime now = now();
          attempts.finish(
              tx, delivery.id(), delivery.attemptCount(), outcome(result, failure), now);
          if (result != null) {
            events.sent(
                tx,
                deliveries.markSent(
                    tx, delivery.id(), result.provider(), result.providerMessageId(), now));
            return null;
          }
          String message = trim(failure.getMessage());
          if (failure.isTransient() && delivery.attemptCount() < maxAttempts) {
            deliveries.scheduleRetry(
                tx,
                delivery.id(),
                failure.provider(),
                failure.code(),
                message,
                now.plus(backoff.after(delivery.attemptCount())),
                now);
            return null;
          }
          events.failed(
              tx,
              deliveries.markFailed(
                  tx, delivery.id(), failure.provider(), failure.code(), message, now));
          log.warn(
              "delivery {} failed after {} attempts: {}",
              delivery.id(),
              delivery.attemptCount(),
              failure.code());
          return null;
        });
  }

  /** What the attempt records of {@code result} (on success) or {@code failure}. */
  private static AttemptOutcome outcome(SendResult result, SendException failure) {
    if (result != null) {
      return new AttemptOutcome("SENT", result.provider(), result.providerMessageId(), "", "");
    }
    return new AttemptOutcome(
        failure.isTransient() ? "TRANSIENT_ERROR" : "PERMANENT_ERROR",
        failure.provider(),
        null,
        failure.code(),
        trim(failure.getMessage()));
  }

  private static String trim(String text) {
    String value = text == null ? "" : text;
    return value.length() <= MAX_ERROR_LENGTH ? value : value.substring(0, MAX_ERROR_LENGTH);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
