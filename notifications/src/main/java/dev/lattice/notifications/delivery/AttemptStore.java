package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;
import static dev.lattice.notifications.store.jooq.Tables.DELIVERY_ATTEMPTS;

import dev.lattice.platform.db.RenderedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The SQL of the delivery_attempts table (one row per provider call, numbered from 1 per delivery)
 * and of the counts the rate limit takes from it. Every attempt and every rate-limit check runs
 * these statements, so each is rendered once ({@link RenderedStatement}) and its rows are read
 * straight from the ResultSet: built, rendered and mapped by jOOQ on every call, they took 3.5% of
 * the mesh's CPU in a profile of the saga. Stateless and thread-safe; every method runs in the
 * transaction it is given.
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
    START.execute(tx, deliveryId, attempt, tenantId, recipientId, countsTowardLimit, provider, now);
  }

  private static final RenderedStatement START =
      RenderedStatement.of(
          DSL.insertInto(DELIVERY_ATTEMPTS)
              .set(
                  DELIVERY_ATTEMPTS.DELIVERY_ID,
                  DSL.param("delivery_id", DELIVERY_ATTEMPTS.DELIVERY_ID))
              .set(
                  DELIVERY_ATTEMPTS.ATTEMPT_NUMBER,
                  DSL.param("attempt_number", DELIVERY_ATTEMPTS.ATTEMPT_NUMBER))
              .set(DELIVERY_ATTEMPTS.TENANT_ID, DSL.param("tenant_id", DELIVERY_ATTEMPTS.TENANT_ID))
              .set(
                  DELIVERY_ATTEMPTS.RECIPIENT_ID,
                  DSL.param("recipient_id", DELIVERY_ATTEMPTS.RECIPIENT_ID))
              .set(
                  DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT,
                  DSL.param("counts_toward_limit", DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT))
              .set(DELIVERY_ATTEMPTS.PROVIDER, DSL.param("provider", DELIVERY_ATTEMPTS.PROVIDER))
              .set(DELIVERY_ATTEMPTS.START_TIME, DSL.param("now", DELIVERY_ATTEMPTS.START_TIME)),
          "delivery_id",
          "attempt_number",
          "tenant_id",
          "recipient_id",
          "counts_toward_limit",
          "provider",
          "now");

  /** Records how attempt {@code attempt} of a delivery ended at {@code now}. */
  public void finish(
      DSLContext tx, UUID deliveryId, int attempt, AttemptOutcome outcome, OffsetDateTime now) {
    FINISH.execute(
        tx,
        now,
        outcome.outcome(),
        outcome.provider(),
        outcome.providerMessageId(),
        outcome.errorCode(),
        outcome.errorMessage(),
        deliveryId,
        attempt);
  }

  private static final RenderedStatement FINISH =
      RenderedStatement.of(
          DSL.update(DELIVERY_ATTEMPTS)
              .set(DELIVERY_ATTEMPTS.FINISH_TIME, DSL.param("now", DELIVERY_ATTEMPTS.FINISH_TIME))
              .set(DELIVERY_ATTEMPTS.OUTCOME, DSL.param("outcome", DELIVERY_ATTEMPTS.OUTCOME))
              .set(DELIVERY_ATTEMPTS.PROVIDER, DSL.param("provider", DELIVERY_ATTEMPTS.PROVIDER))
              .set(
                  DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID,
                  DSL.param("provider_message_id", DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID))
              .set(
                  DELIVERY_ATTEMPTS.ERROR_CODE,
                  DSL.param("error_code", DELIVERY_ATTEMPTS.ERROR_CODE))
              .set(
                  DELIVERY_ATTEMPTS.ERROR_MESSAGE,
                  DSL.param("error_message", DELIVERY_ATTEMPTS.ERROR_MESSAGE))
              .where(
                  DELIVERY_ATTEMPTS.DELIVERY_ID.eq(
                      DSL.param("delivery_id", DELIVERY_ATTEMPTS.DELIVERY_ID)))
              .and(
                  DELIVERY_ATTEMPTS.ATTEMPT_NUMBER.eq(
                      DSL.param("attempt_number", DELIVERY_ATTEMPTS.ATTEMPT_NUMBER))),
          "now",
          "outcome",
          "provider",
          "provider_message_id",
          "error_code",
          "error_message",
          "delivery_id",
          "attempt_number");

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
    RECORD_SENT_AT_ONCE.execute(
        tx, deliveryId, tenantId, recipientId, provider, now, now, messageId);
  }

  private static final RenderedStatement RECORD_SENT_AT_ONCE =
      RenderedStatement.of(
          DSL.insertInto(DELIVERY_ATTEMPTS)
              .set(
                  DELIVERY_ATTEMPTS.DELIVERY_ID,
                  DSL.param("delivery_id", DELIVERY_ATTEMPTS.DELIVERY_ID))
              .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, DSL.inline(1))
              .set(DELIVERY_ATTEMPTS.TENANT_ID, DSL.param("tenant_id", DELIVERY_ATTEMPTS.TENANT_ID))
              .set(
                  DELIVERY_ATTEMPTS.RECIPIENT_ID,
                  DSL.param("recipient_id", DELIVERY_ATTEMPTS.RECIPIENT_ID))
              .set(DELIVERY_ATTEMPTS.COUNTS_TOWARD_LIMIT, DSL.inline(false))
              .set(DELIVERY_ATTEMPTS.PROVIDER, DSL.param("provider", DELIVERY_ATTEMPTS.PROVIDER))
              .set(DELIVERY_ATTEMPTS.START_TIME, DSL.param("now", DELIVERY_ATTEMPTS.START_TIME))
              .set(DELIVERY_ATTEMPTS.FINISH_TIME, DSL.param("now", DELIVERY_ATTEMPTS.FINISH_TIME))
              .set(DELIVERY_ATTEMPTS.OUTCOME, DSL.inline("SENT"))
              .set(
                  DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID,
                  DSL.param("provider_message_id", DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID)),
          "delivery_id",
          "tenant_id",
          "recipient_id",
          "provider",
          "now",
          "now",
          "provider_message_id");

  /**
   * Serialises the rate-limit checks of {@code recipientId}: an advisory lock held until {@code tx}
   * ends.
   */
  public void lockRecipient(DSLContext tx, UUID recipientId) {
    LOCK_RECIPIENT.read(
        tx,
        ResultSet::next,
        recipientId.getMostSignificantBits() ^ recipientId.getLeastSignificantBits());
  }

  private static final RenderedStatement LOCK_RECIPIENT =
      RenderedStatement.of(
          DSL.select(
              DSL.function("pg_advisory_xact_lock", Object.class, DSL.param("key", Long.class))),
          "key");

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
    return EARLIEST_RATE_LIMITED_SLOTS.fetch(
        tx,
        rs -> rs.getObject(1, OffsetDateTime.class),
        tenantId,
        recipientId,
        exceptId,
        since,
        count);
  }

  private static final RenderedStatement EARLIEST_RATE_LIMITED_SLOTS =
      RenderedStatement.of(
          DSL.select(DELIVERIES.NEXT_ATTEMPT_TIME)
              .from(DELIVERIES)
              .where(rateLimitedWaiting())
              .and(
                  DELIVERIES.NEXT_ATTEMPT_TIME.gt(DSL.param("since", DELIVERIES.NEXT_ATTEMPT_TIME)))
              .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME)
              .limit(DSL.param("count", Integer.class)),
          "tenant_id",
          "recipient_id",
          "except_id",
          "since",
          "count");

  /**
   * The due times of the {@code count} latest-scheduled deliveries of {@code recipientId} that wait
   * for the rate limit, other than {@code exceptId}, latest first ({@code
   * deliveries_tenant_recipient_due_idx} reads them from its end).
   */
  public List<OffsetDateTime> latestRateLimitedSlots(
      DSLContext tx, UUID tenantId, UUID recipientId, UUID exceptId, int count) {
    return LATEST_RATE_LIMITED_SLOTS.fetch(
        tx, rs -> rs.getObject(1, OffsetDateTime.class), tenantId, recipientId, exceptId, count);
  }

  private static final RenderedStatement LATEST_RATE_LIMITED_SLOTS =
      RenderedStatement.of(
          DSL.select(DELIVERIES.NEXT_ATTEMPT_TIME)
              .from(DELIVERIES)
              .where(rateLimitedWaiting())
              .and(DELIVERIES.NEXT_ATTEMPT_TIME.isNotNull())
              .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME.desc())
              .limit(DSL.param("count", Integer.class)),
          "tenant_id",
          "recipient_id",
          "except_id",
          "count");

  /**
   * The user's deliveries, other than the one being checked, that wait for the rate limit; binds
   * {@code tenant_id}, {@code recipient_id} and {@code except_id}, in this order.
   */
  private static Condition rateLimitedWaiting() {
    return DELIVERIES
        .TENANT_ID
        .eq(DSL.param("tenant_id", DELIVERIES.TENANT_ID))
        .and(DELIVERIES.RECIPIENT_ID.eq(DSL.param("recipient_id", DELIVERIES.RECIPIENT_ID)))
        .and(DELIVERIES.STATUS.eq(DSL.inline(DeliveryStatuses.PENDING)))
        .and(DELIVERIES.LAST_ERROR_CODE.eq(DSL.inline(DeliveryWorker.RATE_LIMITED)))
        .and(DELIVERIES.ID.ne(DSL.param("except_id", DELIVERIES.ID)));
  }
}
