package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.REFUNDS;

import dev.lattice.payments.store.jooq.tables.records.RefundsRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.events.HeaderJson;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The SQL of refunds ({@code refunds}); it takes and returns {@link RefundRow}s. Stateless. */
public final class RefundStore {

  private RefundStore() {}

  /** The refund {@code refundId}, locked FOR UPDATE. */
  public static RefundRow lock(DSLContext tx, UUID refundId) {
    return row(tx.selectFrom(REFUNDS).where(REFUNDS.ID.eq(refundId)).forUpdate().fetchOne());
  }

  /** The refund the provider calls {@code providerRefundId}. */
  public static Optional<RefundRow> findByProviderRefund(
      DSLContext ctx, String provider, String providerRefundId) {
    return ctx.selectFrom(REFUNDS)
        .where(REFUNDS.PROVIDER.eq(provider))
        .and(REFUNDS.PROVIDER_REFUND_ID.eq(providerRefundId))
        .fetchOptional()
        .map(RefundStore::row);
  }

  /** The refund {@code refundId} made through {@code provider}. */
  public static Optional<RefundRow> find(DSLContext ctx, String provider, UUID refundId) {
    return ctx.selectFrom(REFUNDS)
        .where(REFUNDS.ID.eq(refundId))
        .and(REFUNDS.PROVIDER.eq(provider))
        .fetchOptional()
        .map(RefundStore::row);
  }

  /** The payment's refunds, oldest first. */
  public static List<RefundRow> ofPayment(DSLContext ctx, UUID paymentId) {
    return ctx.selectFrom(REFUNDS)
        .where(REFUNDS.PAYMENT_ID.eq(paymentId))
        .orderBy(REFUNDS.CREATE_TIME, REFUNDS.ID)
        .fetch(RefundStore::row);
  }

  /** Sum of the payment's refunds still PENDING, in minor units. */
  public static long pendingSum(DSLContext ctx, UUID paymentId) {
    Long sum =
        ctx.select(DSL.coalesce(DSL.sum(REFUNDS.AMOUNT_MINOR), DSL.inline(BigDecimal.ZERO)))
            .from(REFUNDS)
            .where(REFUNDS.PAYMENT_ID.eq(paymentId))
            .and(REFUNDS.STATUS.eq(PaymentStatus.REFUND_PENDING))
            .fetchOne(0, Long.class);
    return sum == null ? 0 : sum;
  }

  /** Inserts a new refund. */
  public static void insert(DSLContext tx, RefundRow refund) {
    tx.executeInsert(record(refund));
  }

  /** Writes every column of a refund the caller has locked. */
  public static void update(DSLContext tx, RefundRow refund) {
    tx.executeUpdate(record(refund));
  }

  /** A pending refund: its provider id, looked up again at {@code recheck}, the lease released. */
  public static void markPending(
      DSLContext tx, UUID refundId, String providerRefundId, OffsetDateTime recheck) {
    tx.update(REFUNDS)
        .set(REFUNDS.PROVIDER_REFUND_ID, providerRefundId)
        .set(REFUNDS.NEXT_ATTEMPT_TIME, recheck)
        .setNull(REFUNDS.LEASE_UNTIL)
        .setNull(REFUNDS.LEASE_TOKEN)
        .where(REFUNDS.ID.eq(refundId))
        .execute();
  }

  /**
   * Leases up to {@code limit} PENDING refunds due at {@code now} and not leased ({@code FOR UPDATE
   * SKIP LOCKED}) until {@code leaseUntil} with {@code token}, counting an attempt.
   */
  public static List<RefundRow> claimDue(
      DSLContext tx, OffsetDateTime now, OffsetDateTime leaseUntil, UUID token, int limit) {
    return CLAIM_DUE.fetchInto(tx, REFUNDS, leaseUntil, token, now, now, limit).stream()
        .map(RefundStore::row)
        .toList();
  }

  // Every worker round runs this, due work or not: rendered once.
  private static final RenderedStatement CLAIM_DUE =
      RenderedStatement.of(
          DSL.update(REFUNDS)
              .set(REFUNDS.LEASE_UNTIL, DSL.param("lease_until", REFUNDS.LEASE_UNTIL))
              .set(REFUNDS.LEASE_TOKEN, DSL.param("lease_token", REFUNDS.LEASE_TOKEN))
              .set(REFUNDS.ATTEMPTS, REFUNDS.ATTEMPTS.plus(DSL.inline(1)))
              .where(
                  REFUNDS.ID.in(
                      DSL.select(REFUNDS.ID)
                          .from(REFUNDS)
                          .where(REFUNDS.STATUS.eq(DSL.inline(PaymentStatus.REFUND_PENDING)))
                          .and(
                              REFUNDS.NEXT_ATTEMPT_TIME.le(
                                  DSL.param("now", REFUNDS.NEXT_ATTEMPT_TIME)))
                          .and(
                              REFUNDS
                                  .LEASE_UNTIL
                                  .isNull()
                                  .or(
                                      REFUNDS.LEASE_UNTIL.lt(
                                          DSL.param("now", REFUNDS.LEASE_UNTIL))))
                          .orderBy(REFUNDS.NEXT_ATTEMPT_TIME)
                          .limit(DSL.param("limit", Integer.class))
                          .forUpdate()
                          .skipLocked()))
              .returning(),
          "lease_until",
          "lease_token",
          "now",
          "now",
          "limit");

  /** Releases the lease {@code leaseToken} of a still PENDING refund, due again at {@code next}. */
  public static void retryLater(
      DSLContext tx, UUID refundId, UUID leaseToken, OffsetDateTime next) {
    tx.update(REFUNDS)
        .set(REFUNDS.NEXT_ATTEMPT_TIME, next)
        .setNull(REFUNDS.LEASE_UNTIL)
        .setNull(REFUNDS.LEASE_TOKEN)
        .where(REFUNDS.ID.eq(refundId))
        .and(REFUNDS.STATUS.eq(PaymentStatus.REFUND_PENDING))
        .and(REFUNDS.LEASE_TOKEN.eq(leaseToken))
        .execute();
  }

  private static RefundRow row(RefundsRecord r) {
    return new RefundRow(
        r.getId(),
        r.getTenantId(),
        r.getPaymentId(),
        r.getAmountMinor(),
        r.getCurrency(),
        r.getReason(),
        r.getStatus(),
        r.getProvider(),
        r.getProviderRefundId(),
        r.getFailureCode(),
        r.getFailureMessage(),
        r.getCreateTime(),
        r.getUpdateTime(),
        r.getCompleteTime(),
        r.getVersion(),
        r.getNextAttemptTime(),
        r.getAttempts(),
        r.getLeaseUntil(),
        r.getLeaseToken(),
        HeaderJson.decode(r.getTraceHeaders()));
  }

  private static RefundsRecord record(RefundRow r) {
    return new RefundsRecord(
        r.id(),
        r.tenantId(),
        r.paymentId(),
        r.amountMinor(),
        r.currency(),
        r.reason(),
        r.status(),
        r.provider(),
        r.providerRefundId(),
        r.failureCode(),
        r.failureMessage(),
        r.createTime(),
        r.updateTime(),
        r.completeTime(),
        r.version(),
        r.nextAttemptTime(),
        r.attempts(),
        r.leaseUntil(),
        r.leaseToken(),
        HeaderJson.encode(r.traceHeaders()));
  }
}
