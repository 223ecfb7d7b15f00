package dev.lattice.payments.ledger;

import com.google.protobuf.Timestamp;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatusChange;
import dev.lattice.payments.v1.Refund;
import dev.lattice.payments.v1.RefundStatus;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/** The proto form of payments and refunds, as the RPCs answer them. Stateless. */
public final class PaymentViews {

  private PaymentViews() {}

  /** The payment with its status history and refunds, oldest first, read through {@code ctx}. */
  public static Payment load(DSLContext ctx, PaymentRow row) {
    UUID id = row.id();
    return toProto(row, PaymentStore.history(ctx, id), RefundStore.ofPayment(ctx, id));
  }

  /** The payment with the given history and refunds. */
  public static Payment toProto(
      PaymentRow row, List<StatusChange> history, List<RefundRow> refunds) {
    Payment.Builder payment =
        Payment.newBuilder()
            .setId(row.id().toString())
            .setTenantId(row.tenantId().toString())
            .setOrderId(row.orderId().toString())
            .setCustomerId(row.customerId().toString())
            .setAmountMinor(row.amountMinor())
            .setRefundedAmountMinor(row.refundedAmountMinor())
            .setCurrency(row.currency())
            .setStatus(status(row.status()))
            .setProvider(row.provider())
            .setProviderChargeId(nullToEmpty(row.providerChargeId()))
            .setFailureCode(nullToEmpty(row.failureCode()))
            .setFailureMessage(nullToEmpty(row.failureMessage()))
            .setCreateTime(timestamp(row.createTime()))
            .setUpdateTime(timestamp(row.updateTime()))
            .setVersion(row.version());
    history.forEach(
        h ->
            payment.addStatusHistory(
                PaymentStatusChange.newBuilder()
                    .setStatus(status(h.status()))
                    .setChangeTime(timestamp(h.changeTime()))
                    .setCause(h.cause())));
    refunds.forEach(r -> payment.addRefunds(toProto(r)));
    return payment.build();
  }

  /** The proto form of a refund. */
  public static Refund toProto(RefundRow row) {
    Refund.Builder refund =
        Refund.newBuilder()
            .setId(row.id().toString())
            .setAmountMinor(row.amountMinor())
            .setReason(row.reason())
            .setStatus(
                switch (row.status()) {
                  case PaymentStatus.REFUND_SUCCEEDED -> RefundStatus.REFUND_STATUS_SUCCEEDED;
                  case PaymentStatus.REFUND_FAILED -> RefundStatus.REFUND_STATUS_FAILED;
                  default -> RefundStatus.REFUND_STATUS_PENDING;
                })
            .setProviderRefundId(nullToEmpty(row.providerRefundId()))
            .setFailureCode(nullToEmpty(row.failureCode()))
            .setCreateTime(timestamp(row.createTime()));
    if (row.completeTime() != null) {
      refund.setCompleteTime(timestamp(row.completeTime()));
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

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
