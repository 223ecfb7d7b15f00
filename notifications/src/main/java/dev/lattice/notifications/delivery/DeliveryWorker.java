package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;
import static dev.lattice.notifications.store.jooq.Tables.DELIVERY_ATTEMPTS;

import dev.lattice.notifications.channels.MessageSender;
import dev.lattice.notifications.channels.OutgoingMessage;
import dev.lattice.notifications.channels.SendException;
import dev.lattice.notifications.channels.SendResult;
import dev.lattice.notifications.messages.Priority;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.platform.db.Transactions;
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
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries. {@link #claim} leases a batch of one lane ({@code FOR UPDATE SKIP LOCKED};
 * the lease is next_attempt_time pushed out, so a crashed worker's delivery comes back). {@link
 * #process} then, per delivery: checks the per-user rate limit (non-urgent lanes; over the limit
 * it is deferred without using an attempt), records the attempt, calls the provider with no
 * transaction open, and records the answer: SENT (text and address cleared, NotificationSent),
 * a transient failure retried after {@link Backoff} until the last attempt, or FAILED
 * (NotificationFailed; it then lists under ListDeliveries status FAILED). last_error_* keep the
 * last failure or deferral even after a later success, for support. A delivery whose lease
 * was taken over meanwhile is left alone. Thread-safe; several workers (replicas) may run.
 */
public final class DeliveryWorker {

  /** last_error_code of a delivery the rate limit deferred. */
  public static final String RATE_LIMITED = "rate_limited";

  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final int MAX_ERROR_LENGTH = 500;

  private final DSLContext dsl;
  private final Map<String, MessageSender> senders;
  private final RateLimiter rateLimiter;
  private final DeliveryEvents events;
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
      DSLContext dsl, Map<String, MessageSender> senders, RateLimiter rateLimiter, DeliveryEvents events,
      Backoff backoff, int maxAttempts, Duration lease, Clock clock) {
    this.dsl = dsl;
    this.senders = Map.copyOf(senders);
    this.rateLimiter = rateLimiter;
    this.events = events;
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
    this.lease = lease;
    this.clock = clock;
  }

  /** Leases up to {@code batch} due deliveries of {@code lanes}, NORMAL before LOW, oldest due first. */
  List<DeliveriesRecord> claim(Collection<Priority> lanes, int batch) {
    OffsetDateTime now = now();
    List<String> priorities = lanes.stream().map(Priority::name).toList();
    return Transactions.inTransaction(dsl, tx -> tx.update(DELIVERIES)
        .set(DELIVERIES.NEXT_ATTEMPT_TIME, now.plus(lease))
        .where(DELIVERIES.ID.in(DSL.select(DELIVERIES.ID)
            .from(DELIVERIES)
            .where(DELIVERIES.STATUS.in(DeliveryStatuses.PENDING, DeliveryStatuses.RETRYING))
            .and(DELIVERIES.PRIORITY.in(priorities))
            .and(DELIVERIES.NEXT_ATTEMPT_TIME.le(now))
            .orderBy(DSL.when(DELIVERIES.PRIORITY.eq(Priority.LOW.name()), 1).otherwise(0),
                DELIVERIES.NEXT_ATTEMPT_TIME)
            .limit(batch)
            .forUpdate()
            .skipLocked()))
        .returning()
        .fetch());
  }

  /** Works one claimed delivery to its next state. */
  void process(DeliveriesRecord claim) {
    try {
      Optional<DeliveriesRecord> started = start(claim);
      if (started.isEmpty()) {
        return;
      }
      DeliveriesRecord delivery = started.get();
      MessageSender sender = senders.get(delivery.getChannel());
      OutgoingMessage message = new OutgoingMessage(delivery.getId().toString(), delivery.getDestination(),
          delivery.getRenderedSubject(), delivery.getRenderedBody());
      try {
        SendResult result = sender.send(message);
        finish(delivery, result, null);
      } catch (SendException e) {
        log.info("attempt {} of delivery {} via {} failed: {} {}", delivery.getAttemptCount(),
            delivery.getId(), e.provider(), e.code(), e.getMessage());
        finish(delivery, null, e);
      }
    } catch (RuntimeException e) {
      log.error("delivery {} failed unexpectedly; it is retried when its lease ends", claim.getId(), e);
    }
  }

  /**
   * Checks the rate limit and records the attempt; empty when the delivery is deferred or no
   * longer this worker's.
   */
  private Optional<DeliveriesRecord> start(DeliveriesRecord claim) {
    return Transactions.inTransaction(dsl, tx -> {
      Optional<DeliveriesRecord> locked = lockOwned(tx, claim);
      if (locked.isEmpty()) {
        return Optional.empty();
      }
      DeliveriesRecord delivery = locked.get();
      OffsetDateTime now = now();
      if (!Priority.HIGH.name().equals(delivery.getPriority())) {
        Optional<OffsetDateTime> deferUntil = rateLimiter.deferral(tx, delivery.getRecipientId(), now);
        if (deferUntil.isPresent()) {
          delivery.setNextAttemptTime(deferUntil.get());
          delivery.setLastErrorCode(RATE_LIMITED);
          delivery.setLastErrorMessage("deferred by the per-user rate limit");
          touch(delivery, now);
          delivery.update();
          return Optional.empty();
        }
      }
      int attempt = delivery.getAttemptCount() + 1;
      tx.insertInto(DELIVERY_ATTEMPTS)
          .set(DELIVERY_ATTEMPTS.DELIVERY_ID, delivery.getId())
          .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, attempt)
          .set(DELIVERY_ATTEMPTS.TENANT_ID, delivery.getTenantId())
          .set(DELIVERY_ATTEMPTS.PROVIDER, senders.get(delivery.getChannel()).name())
          .set(DELIVERY_ATTEMPTS.START_TIME, now)
          .execute();
      delivery.setAttemptCount(attempt);
      touch(delivery, now);
      delivery.update();
      return Optional.of(delivery);
    });
  }

  /** Records the provider's answer: {@code result} on success, else {@code failure}. */
  private void finish(DeliveriesRecord claim, SendResult result, SendException failure) {
    Transactions.inTransaction(dsl, tx -> {
      Optional<DeliveriesRecord> locked = lockOwned(tx, claim);
      if (locked.isEmpty()) {
        return null;
      }
      DeliveriesRecord delivery = locked.get();
      OffsetDateTime now = now();
      String provider = result != null ? result.provider() : failure.provider();
      String outcome = result != null ? "SENT" : failure.isTransient() ? "TRANSIENT_ERROR" : "PERMANENT_ERROR";
      tx.update(DELIVERY_ATTEMPTS)
          .set(DELIVERY_ATTEMPTS.FINISH_TIME, now)
          .set(DELIVERY_ATTEMPTS.OUTCOME, outcome)
          .set(DELIVERY_ATTEMPTS.PROVIDER, provider)
          .set(DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID, result != null ? result.providerMessageId() : null)
          .set(DELIVERY_ATTEMPTS.ERROR_CODE, failure != null ? failure.code() : "")
          .set(DELIVERY_ATTEMPTS.ERROR_MESSAGE, failure != null ? trim(failure.getMessage()) : "")
          .where(DELIVERY_ATTEMPTS.DELIVERY_ID.eq(delivery.getId()))
          .and(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER.eq(delivery.getAttemptCount()))
          .execute();
      delivery.setProvider(provider);
      touch(delivery, now);
      if (result != null) {
        delivery.setStatus(DeliveryStatuses.SENT);
        delivery.setSentTime(now);
        delivery.setProviderMessageId(result.providerMessageId());
        close(delivery);
        delivery.update();
        events.sent(tx, delivery);
        return null;
      }
      delivery.setLastErrorCode(failure.code());
      delivery.setLastErrorMessage(trim(failure.getMessage()));
      if (failure.isTransient() && delivery.getAttemptCount() < maxAttempts) {
        delivery.setStatus(DeliveryStatuses.RETRYING);
        delivery.setNextAttemptTime(now.plus(backoff.after(delivery.getAttemptCount())));
        delivery.update();
        return null;
      }
      delivery.setStatus(DeliveryStatuses.FAILED);
      close(delivery);
      delivery.update();
      events.failed(tx, delivery);
      log.warn("delivery {} failed after {} attempts: {}", delivery.getId(), delivery.getAttemptCount(),
          failure.code());
      return null;
    });
  }

  /** The delivery, locked, if it is still open and still leased as claimed. */
  private static Optional<DeliveriesRecord> lockOwned(DSLContext tx, DeliveriesRecord claim) {
    return tx.selectFrom(DELIVERIES)
        .where(DELIVERIES.ID.eq(claim.getId()))
        .and(DELIVERIES.STATUS.in(DeliveryStatuses.PENDING, DeliveryStatuses.RETRYING))
        .and(DELIVERIES.NEXT_ATTEMPT_TIME.eq(claim.getNextAttemptTime()))
        .forUpdate()
        .fetchOptional();
  }

  /** A terminal delivery keeps no address, text or single-use link. */
  private static void close(DeliveriesRecord delivery) {
    delivery.setNextAttemptTime(null);
    delivery.setDestination(null);
    delivery.setRenderedSubject(null);
    delivery.setRenderedBody(null);
  }

  private static void touch(DeliveriesRecord delivery, OffsetDateTime now) {
    delivery.setUpdateTime(now);
    delivery.setVersion(delivery.getVersion() + 1);
  }

  private static String trim(String text) {
    String value = text == null ? "" : text;
    return value.length() <= MAX_ERROR_LENGTH ? value : value.substring(0, MAX_ERROR_LENGTH);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
