package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A refund as stored in {@code refunds}: part or all of a captured payment, its status ({@link
 * PaymentStatus}'s REFUND_*), the provider's refund, and the refund worker's schedule and lease.
 * Immutable; a change is a new row that {@link RefundStore} writes.
 *
 * @param providerRefundId null until the provider named the refund
 * @param failureCode null unless FAILED
 * @param failureMessage null unless FAILED
 * @param completeTime null unless SUCCEEDED
 * @param nextAttemptTime when the refund worker is due to act, null once settled
 * @param leaseUntil null unless a worker holds the refund
 * @param leaseToken null unless a worker holds the refund
 * @param traceHeaders the trace context (W3C headers) of the work that asked for the refund, under
 *     which the refund worker runs; empty when there was none
 */
public record RefundRow(
    UUID id,
    UUID tenantId,
    UUID paymentId,
    long amountMinor,
    String currency,
    String reason,
    String status,
    String provider,
    String providerRefundId,
    String failureCode,
    String failureMessage,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime completeTime,
    long version,
    OffsetDateTime nextAttemptTime,
    int attempts,
    OffsetDateTime leaseUntil,
    UUID leaseToken,
    Map<String, String> traceHeaders) {

  /** Copies the trace headers. */
  public RefundRow {
    traceHeaders = Map.copyOf(traceHeaders);
  }

  /**
   * A new PENDING refund of {@code amount} of {@code payment} at version 1, due at {@code now},
   * which the refund worker makes under the trace context {@code traceHeaders}.
   */
  public static RefundRow pending(
      UUID id,
      PaymentRow payment,
      long amount,
      String reason,
      OffsetDateTime now,
      Map<String, String> traceHeaders) {
    return new RefundRow(
        id,
        payment.tenantId(),
        payment.id(),
        amount,
        payment.currency(),
        reason,
        PaymentStatus.REFUND_PENDING,
        payment.provider(),
        null,
        null,
        null,
        now,
        now,
        null,
        1L,
        now,
        0,
        null,
        null,
        traceHeaders);
  }

  /**
   * This refund SUCCEEDED at {@code now} as the provider's {@code refundId}, no longer due nor
   * leased.
   */
  public RefundRow succeeded(String refundId, OffsetDateTime now) {
    return new RefundRow(
        id,
        tenantId,
        paymentId,
        amountMinor,
        currency,
        reason,
        PaymentStatus.REFUND_SUCCEEDED,
        provider,
        refundId,
        failureCode,
        failureMessage,
        createTime,
        now,
        now,
        version + 1,
        null,
        attempts,
        null,
        null,
        traceHeaders);
  }

  /** This refund FAILED at {@code now} with {@code code}, no longer due nor leased. */
  public RefundRow failed(String code, String message, OffsetDateTime now) {
    return new RefundRow(
        id,
        tenantId,
        paymentId,
        amountMinor,
        currency,
        reason,
        PaymentStatus.REFUND_FAILED,
        provider,
        providerRefundId,
        code,
        message,
        createTime,
        now,
        completeTime,
        version + 1,
        null,
        attempts,
        null,
        null,
        traceHeaders);
  }
}
