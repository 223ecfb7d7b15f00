package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENT_STATUS_HISTORY;
import static dev.lattice.payments.store.jooq.Tables.REFUNDS;

import com.google.protobuf.Timestamp;
import dev.lattice.payments.store.jooq.tables.records.PaymentStatusHistoryRecord;
import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.payments.store.jooq.tables.records.RefundsRecord;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatusChange;
import dev.lattice.payments.v1.Refund;
import dev.lattice.payments.v1.RefundStatus;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Reads and small writes of payments shared by the RPCs, consumers, workers and webhooks. */
public final class PaymentStore {

  /** ErrorInfo reason of an unknown payment or one of another tenant. */
  public static final String PAYMENT_NOT_FOUND = "PAYMENT_NOT_FOUND";

  private PaymentStore() {}

  /** NOT_FOUND PAYMENT_NOT_FOUND. */
  public static NotFoundException notFound() {
    return new NotFoundException(PAYMENT_NOT_FOUND, "payment not found");
  }

  /** The payment {@code paymentId} of {@code tenantId}. */
  public static Optional<PaymentsRecord> find(DSLContext ctx, UUID tenantId, UUID paymentId) {
    return ctx.selectFrom(PAYMENTS)
        .where(PAYMENTS.ID.eq(paymentId))
        .and(PAYMENTS.TENANT_ID.eq(tenantId))
        .fetchOptional();
  }

  /** The payment {@code paymentId} of {@code tenantId}, locked FOR UPDATE. */
  public static Optional<PaymentsRecord> lock(DSLContext tx, UUID tenantId, UUID paymentId) {
    return tx.selectFrom(PAYMENTS)
        .where(PAYMENTS.ID.eq(paymentId))
        .and(PAYMENTS.TENANT_ID.eq(tenantId))
        .forUpdate()
        .fetchOptional();
  }

  /** The payment of order {@code orderId} of {@code tenantId}, locked FOR UPDATE. */
  public static Optional<PaymentsRecord> lockByOrder(DSLContext tx, UUID tenantId, UUID orderId) {
    return tx.selectFrom(PAYMENTS)
        .where(PAYMENTS.TENANT_ID.eq(tenantId))
        .and(PAYMENTS.ORDER_ID.eq(orderId))
        .forUpdate()
        .fetchOptional();
  }

  /** The payment with the provider's charge id, locked FOR UPDATE (any tenant). */
  public static Optional<PaymentsRecord> lockByCharge(DSLContext tx, String provider, String chargeId) {
    return tx.selectFrom(PAYMENTS)
        .where(PAYMENTS.PROVIDER.eq(provider))
        .and(PAYMENTS.PROVIDER_CHARGE_ID.eq(chargeId))
        .forUpdate()
        .fetchOptional();
  }

  /** Appends the payment's current status to its history. */
  public static void recordStatus(DSLContext tx, UuidV7Generator ids, PaymentsRecord payment, String cause) {
    PaymentStatusHistoryRecord row = tx.newRecord(PAYMENT_STATUS_HISTORY);
    row.setId(ids.next());
    row.setTenantId(payment.getTenantId());
    row.setPaymentId(payment.getId());
    row.setStatus(payment.getStatus());
    row.setCause(cause);
    row.setChangeTime(payment.getUpdateTime());
    row.insert();
  }

  /** Sum of the payment's refunds still PENDING, in minor units. */
  public static long pendingRefunds(DSLContext ctx, UUID paymentId) {
    Long sum = ctx.select(DSL.coalesce(DSL.sum(REFUNDS.AMOUNT_MINOR), DSL.inline(java.math.BigDecimal.ZERO)))
        .from(REFUNDS)
        .where(REFUNDS.PAYMENT_ID.eq(paymentId))
        .and(REFUNDS.STATUS.eq(PaymentStatus.REFUND_PENDING))
        .fetchOne(0, Long.class);
    return sum == null ? 0 : sum;
  }

  /** What may still be refunded: captured minus refunded minus pending refunds. */
  public static long refundable(DSLContext ctx, PaymentsRecord payment) {
    return payment.getAmountMinor() - payment.getRefundedAmountMinor() - pendingRefunds(ctx, payment.getId());
  }

  /** The payment with its status history and refunds, oldest first. */
  public static Payment load(DSLContext ctx, PaymentsRecord row) {
    List<PaymentStatusHistoryRecord> history = ctx.selectFrom(PAYMENT_STATUS_HISTORY)
        .where(PAYMENT_STATUS_HISTORY.PAYMENT_ID.eq(row.getId()))
        .orderBy(PAYMENT_STATUS_HISTORY.CHANGE_TIME, PAYMENT_STATUS_HISTORY.ID)
        .fetch();
    List<RefundsRecord> refunds = ctx.selectFrom(REFUNDS)
        .where(REFUNDS.PAYMENT_ID.eq(row.getId()))
        .orderBy(REFUNDS.CREATE_TIME, REFUNDS.ID)
        .fetch();
    Payment.Builder payment = Payment.newBuilder()
        .setId(row.getId().toString())
        .setTenantId(row.getTenantId().toString())
        .setOrderId(row.getOrderId().toString())
        .setCustomerId(row.getCustomerId().toString())
        .setAmountMinor(row.getAmountMinor())
        .setRefundedAmountMinor(row.getRefundedAmountMinor())
        .setCurrency(row.getCurrency())
        .setStatus(status(row.getStatus()))
        .setProvider(row.getProvider())
        .setProviderChargeId(nullToEmpty(row.getProviderChargeId()))
        .setFailureCode(nullToEmpty(row.getFailureCode()))
        .setFailureMessage(nullToEmpty(row.getFailureMessage()))
        .setCreateTime(timestamp(row.getCreateTime()))
        .setUpdateTime(timestamp(row.getUpdateTime()))
        .setVersion(row.getVersion());
    history.forEach(h -> payment.addStatusHistory(PaymentStatusChange.newBuilder()
        .setStatus(status(h.getStatus()))
        .setChangeTime(timestamp(h.getChangeTime()))
        .setCause(h.getCause())));
    refunds.forEach(r -> payment.addRefunds(toProto(r)));
    return payment.build();
  }

  /** The proto form of a refund. */
  public static Refund toProto(RefundsRecord row) {
    Refund.Builder refund = Refund.newBuilder()
        .setId(row.getId().toString())
        .setAmountMinor(row.getAmountMinor())
        .setReason(row.getReason())
        .setStatus(switch (row.getStatus()) {
          case PaymentStatus.REFUND_SUCCEEDED -> RefundStatus.REFUND_STATUS_SUCCEEDED;
          case PaymentStatus.REFUND_FAILED -> RefundStatus.REFUND_STATUS_FAILED;
          default -> RefundStatus.REFUND_STATUS_PENDING;
        })
        .setProviderRefundId(nullToEmpty(row.getProviderRefundId()))
        .setFailureCode(nullToEmpty(row.getFailureCode()))
        .setCreateTime(timestamp(row.getCreateTime()));
    if (row.getCompleteTime() != null) {
      refund.setCompleteTime(timestamp(row.getCompleteTime()));
    }
    return refund.build();
  }

  /** The proto enum of a stored payment status. */
  public static dev.lattice.payments.v1.PaymentStatus status(String stored) {
    return dev.lattice.payments.v1.PaymentStatus.valueOf("PAYMENT_STATUS_" + stored);
  }

  /** The stored form of a proto payment status (not UNSPECIFIED). */
  public static String stored(dev.lattice.payments.v1.PaymentStatus status) {
    return status.name().substring("PAYMENT_STATUS_".length());
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /** The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
