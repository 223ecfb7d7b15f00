package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;
import static dev.lattice.notifications.store.jooq.Tables.DELIVERY_ATTEMPTS;

import dev.lattice.platform.db.RenderedStatement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The SQL of the delivery_attempts table (one row per provider call, numbered from 1 per delivery)
 * and of the counts the rate limit takes from it. Stateless and thread-safe; every method runs in
 * the transaction it is given.
 */
public final class AttemptStore {

  /**
   * Records that attempt {@code attempt} of a delivery to {@code recipientId} started at {@code
   * now} with {@code provider}; {@code countsTowardLimit} when the delivery is non-urgent (not
   * HIGH, not in-app), so that {@link #latestLimitedStarts} counts it.
   */
  public void start(
      DSLContext tx,
      UUID deliveryId,
      int attempt,
      UUID tenantId,
      UUID recipientId,
      boolean countsTowardLimit,
      String provider,
      OffsetDateTime now) {
    tx.insertInto(DELIVERY_ATTEMPTS)
        .set(DELIVERY_ATTEMPTS.DELIVERY_ID, deliveryId)
        .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, attempt)
        .set(DELIVERY_ATTEMPTS.TENANT_ID, tenantId)
        .set(DELIVERY_ATTEMPTS.RECIPIENT_ID, recipientId)
        .set(DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT, countsTowardLimit)
        .set(DELIVERY_ATTEMPTS.PROVIDER, provider)
        .set(DELIVERY_ATTEMPTS.START_TIME, now)
        .execute();
  }

  /** Records how attempt {@code attempt} of a delivery ended at {@code now}. */
  public void finish(
      DSLContext tx, UUID deliveryId, int attempt, AttemptOutcome outcome, OffsetDateTime now) {
    tx.update(DELIVERY_ATTEMPTS)
        .set(DELIVERY_ATTEMPTS.FINISH_TIME, now)
        .set(DELIVERY_ATTEMPTS.OUTCOME, outcome.outcome())
        .set(DELIVERY_ATTEMPTS.PROVIDER, outcome.provider())
        .set(DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID, outcome.providerMessageId())
        .set(DELIVERY_ATTEMPTS.ERROR_CODE, outcome.errorCode())
        .set(DELIVERY_ATTEMPTS.ERROR_MESSAGE, outcome.errorMessage())
        .where(DELIVERY_ATTEMPTS.DELIVERY_ID.eq(deliveryId))
        .and(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER.eq(attempt))
        .execute();
  }

  /**
   * Records the one attempt of an in-app delivery to {@code recipientId} that {@code provider} took
   * at once ({@code now}) as {@code messageId}; in-app messages do not count toward the rate limit.
   */
  public void recordSentAtOnce(
      DSLContext tx,
      UUID deliveryId,
      UUID tenantId,
      UUID recipientId,
      String provider,
      String messageId,
      OffsetDateTime now) {
    tx.insertInto(DELIVERY_ATTEMPTS)
        .set(DELIVERY_ATTEMPTS.DELIVERY_ID, deliveryId)
        .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, 1)
        .set(DELIVERY_ATTEMPTS.TENANT_ID, tenantId)
        .set(DELIVERY_ATTEMPTS.RECIPIENT_ID, recipientId)
        .set(DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT, false)
        .set(DELIVERY_ATTEMPTS.PROVIDER, provider)
        .set(DELIVERY_ATTEMPTS.START_TIME, now)
        .set(DELIVERY_ATTEMPTS.FINISH_TIME, now)
        .set(DELIVERY_ATTEMPTS.OUTCOME, "SENT")
        .set(DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID, messageId)
        .execute();
  }

  /**
   * Serialises the rate-limit checks of {@code recipientId}: an advisory lock held until {@code tx}
   * ends.
   */
  public void lockRecipient(DSLContext tx, UUID recipientId) {
    tx.select(
            DSL.function(
                "pg_advisory_xact_lock",
                Object.class,
                DSL.val(
                    recipientId.getMostSignificantBits() ^ recipientId.getLeastSignificantBits())))
        .fetch();
  }

  /**
   * When the latest {@code count} (at most) attempts of {@code recipientId}'s non-urgent messages
   * (not HIGH, not in-app) started after {@code since}, latest first. Read from {@code
   * delivery_attempts_limit_idx}, which stops after {@code count} rows: the rate limit needs no
   * more (whether the window holds fewer than the limit, and the limit-th latest start). Reaching
   * the attempts through the user's recently updated deliveries read every delivery a busy user had
   * waiting for the limit, once per check (migration V3).
   */
  public List<OffsetDateTime> latestLimitedStarts(
      DSLContext tx, UUID tenantId, UUID recipientId, OffsetDateTime since, int count) {
    return LATEST_LIMITED_STARTS.fetch(
        tx, rs -> rs.getObject(1, OffsetDateTime.class), tenantId, recipientId, since, count);
  }

  // Every non-urgent send runs it: rendered once.
  private static final RenderedStatement LATEST_LIMITED_STARTS =
      RenderedStatement.of(
          DSL.select(DELIVERY_ATTEMPTS.START_TIME)
              .from(DELIVERY_ATTEMPTS)
              .where(DELIVERY_ATTEMPTS.TENANT_ID.eq(DSL.param("tenant_id", UUID.class)))
              .and(DELIVERY_ATTEMPTS.RECIPIENT_ID.eq(DSL.param("recipient_id", UUID.class)))
              .and(DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT)
              .and(
                  DELIVERY_ATTEMPTS.START_TIME.gt(DSL.param("since", DELIVERY_ATTEMPTS.START_TIME)))
              .orderBy(DELIVERY_ATTEMPTS.START_TIME.desc())
              .limit(DSL.param("count", Integer.class)),
          "tenant_id",
          "recipient_id",
          "since",
          "count");

  /**
   * The due times of the {@code count} earliest-scheduled deliveries of {@code recipientId} that
   * wait for the rate limit and are due after {@code since}, other than {@code exceptId}, earliest
   * first (read through {@code deliveries_tenant_recipient_due_idx}).
   */
  public List<OffsetDateTime> earliestRateLimitedSlots(
      DSLContext tx,
      UUID tenantId,
      UUID recipientId,
      UUID exceptId,
      OffsetDateTime since,
      int count) {
    return tx.select(DELIVERIES.NEXT_ATTEMPT_TIME)
        .from(DELIVERIES)
        .where(rateLimitedWaiting(tenantId, recipientId, exceptId))
        .and(DELIVERIES.NEXT_ATTEMPT_TIME.gt(since))
        .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME)
        .limit(count)
        .fetch(DELIVERIES.NEXT_ATTEMPT_TIME);
  }

  /**
   * The due times of the {@code count} latest-scheduled deliveries of {@code recipientId} that wait
   * for the rate limit, other than {@code exceptId}, latest first ({@code
   * deliveries_tenant_recipient_due_idx} reads them from its end).
   */
  public List<OffsetDateTime> latestRateLimitedSlots(
      DSLContext tx, UUID tenantId, UUID recipientId, UUID exceptId, int count) {
    return tx.select(DELIVERIES.NEXT_ATTEMPT_TIME)
        .from(DELIVERIES)
        .where(rateLimitedWaiting(tenantId, recipientId, exceptId))
        .and(DELIVERIES.NEXT_ATTEMPT_TIME.isNotNull())
        .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME.desc())
        .limit(count)
        .fetch(DELIVERIES.NEXT_ATTEMPT_TIME);
  }

  /** The user's deliveries, other than {@code exceptId}, that wait for the rate limit. */
  private static Condition rateLimitedWaiting(UUID tenantId, UUID recipientId, UUID exceptId) {
    return DELIVERIES
        .TENANT_ID
        .eq(tenantId)
        .and(DELIVERIES.RECIPIENT_ID.eq(recipientId))
        .and(DELIVERIES.STATUS.eq(DeliveryStatuses.PENDING))
        .and(DELIVERIES.LAST_ERROR_CODE.eq(DeliveryWorker.RATE_LIMITED))
        .and(DELIVERIES.ID.ne(exceptId));
  }
}
