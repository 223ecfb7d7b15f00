package dev.lattice.payments.ledger;

import dev.lattice.events.v1.Actor;
import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.events.UuidV7Generator;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The state changes of payments and refunds, each inside the caller's transaction on a row the
 * caller has locked: the new status, a status history row and the event, together. Every change is
 * guarded by the current status, so a second report of the same outcome (a webhook after the
 * worker's answer, a redelivered event) changes nothing and returns false. Thread-safe.
 */
public final class Settlements {

  /** The failure code of a payment closed because its order was cancelled before any charge. */
  public static final String ORDER_CANCELLED = "order_cancelled";

  private final PaymentsEvents events;
  private final TraceHeaders traceHeaders;
  private final UuidV7Generator ids;
  private final Clock clock;

  /**
   * @param traceHeaders captures the trace context a new refund is made under
   */
  public Settlements(PaymentsEvents events, TraceHeaders traceHeaders, Clock clock) {
    this.events = events;
    this.traceHeaders = traceHeaders;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /** The current time as stored. */
  public OffsetDateTime now() {
    return PaymentStore.utc(clock.instant());
  }

  /** A new time-ordered id. */
  public UUID newId() {
    return ids.next();
  }

  /**
   * PENDING → CAPTURED with the provider's charge id, PaymentCaptured, and the charge request (the
   * card token) deleted. A payment whose order was cancelled meanwhile gets a refund of the whole
   * amount at once (decision 0008: no customer pays for a cancelled order).
   */
  public boolean capture(
      DSLContext tx, PaymentRow found, String chargeId, String cause, Actor actor) {
    if (!PaymentStatus.PENDING.equals(found.status())) {
      return false;
    }
    PaymentRow payment =
        change(tx, found.withProviderChargeId(chargeId), PaymentStatus.CAPTURED, cause);
    events.payment(
        tx,
        payment.tenantId(),
        payment.id(),
        payment.version(),
        actor,
        PaymentCaptured.newBuilder()
            .setPaymentId(payment.id().toString())
            .setOrderId(payment.orderId().toString())
            .setCustomerId(payment.customerId().toString())
            .setAmountMinor(payment.amountMinor())
            .setCurrency(payment.currency())
            .setProvider(payment.provider())
            .setProviderChargeId(chargeId)
            .build());
    if (payment.cancelRequested() && payment.amountMinor() > 0) {
      createRefund(tx, payment, payment.amountMinor(), "order cancelled before the charge settled");
    }
    return true;
  }

  /**
   * PENDING → FAILED with {@code code}, the charge request deleted, and PaymentFailed unless the
   * payment is closed because its order was cancelled (nobody waits for that outcome).
   */
  public boolean fail(
      DSLContext tx,
      PaymentRow found,
      String chargeId,
      String code,
      String message,
      boolean retryable,
      String cause,
      Actor actor) {
    if (!PaymentStatus.PENDING.equals(found.status())) {
      return false;
    }
    PaymentRow failed =
        chargeId != null && !chargeId.isEmpty() ? found.withProviderChargeId(chargeId) : found;
    failed = failed.withFailure(code, message == null ? "" : truncate(message));
    PaymentRow payment = change(tx, failed, PaymentStatus.FAILED, cause);
    if (!ORDER_CANCELLED.equals(code)) {
      events.payment(
          tx,
          payment.tenantId(),
          payment.id(),
          payment.version(),
          actor,
          PaymentFailed.newBuilder()
              .setPaymentId(payment.id().toString())
              .setOrderId(payment.orderId().toString())
              .setCustomerId(payment.customerId().toString())
              .setFailureCode(code)
              .setFailureMessage(payment.failureMessage())
              .setRetryable(retryable)
              .build());
    }
    return true;
  }

  /**
   * A PENDING refund of {@code amount} for {@code payment}, due for the refund worker now, which
   * makes it under the current trace context (the call or event that asked for it); the payment's
   * version grows (a refund was committed against it). The caller checked the amount.
   */
  public RefundRow createRefund(DSLContext tx, PaymentRow payment, long amount, String reason) {
    OffsetDateTime now = now();
    RefundRow refund =
        RefundRow.pending(
            ids.next(), payment, amount, reason, now, traceHeaders.capture(Context.current()));
    RefundStore.insert(tx, refund);
    PaymentStore.touch(tx, payment.touched(now));
    return refund;
  }

  /**
   * A PENDING refund → SUCCEEDED; the payment's refunded amount grows and it becomes
   * PARTIALLY_REFUNDED or REFUNDED; PaymentRefunded.
   */
  public boolean refundSucceeded(
      DSLContext tx, PaymentRow found, RefundRow refund, String providerRefundId, Actor actor) {
    if (!PaymentStatus.REFUND_PENDING.equals(refund.status())) {
      return false;
    }
    RefundStore.update(tx, refund.succeeded(providerRefundId, now()));
    long refunded = found.refundedAmountMinor() + refund.amountMinor();
    boolean full = refunded >= found.amountMinor();
    PaymentRow payment =
        change(
            tx,
            found.withRefundedAmountMinor(refunded),
            full ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED,
            "refund:" + refund.id());
    events.payment(
        tx,
        payment.tenantId(),
        payment.id(),
        payment.version(),
        actor,
        PaymentRefunded.newBuilder()
            .setPaymentId(payment.id().toString())
            .setOrderId(payment.orderId().toString())
            .setCustomerId(payment.customerId().toString())
            .setRefundId(refund.id().toString())
            .setAmountMinor(refund.amountMinor())
            .setCurrency(refund.currency())
            .setRefundedAmountMinor(refunded)
            .setFullyRefunded(full)
            .setReason(refund.reason())
            .build());
    return true;
  }

  /** A PENDING refund → FAILED with {@code code}; the payment is unchanged. */
  public boolean refundFailed(DSLContext tx, RefundRow refund, String code, String message) {
    if (!PaymentStatus.REFUND_PENDING.equals(refund.status())) {
      return false;
    }
    RefundStore.update(tx, refund.failed(code, message == null ? "" : truncate(message), now()));
    return true;
  }

  /** The payment in {@code status}, written with its history row; returns it as written. */
  private PaymentRow change(DSLContext tx, PaymentRow found, String status, String cause) {
    PaymentRow payment = found.changedTo(status, now());
    PaymentStore.update(tx, payment);
    PaymentStore.recordStatus(tx, ids, payment, cause);
    if (!PaymentStatus.PENDING.equals(status)) {
      ChargeRequestStore.delete(tx, payment.tenantId(), payment.orderId());
    }
    return payment;
  }

  /**
   * What may still be refunded of {@code payment}: captured minus refunded minus pending refunds.
   */
  public static long refundable(DSLContext ctx, PaymentRow payment) {
    return payment.amountMinor()
        - payment.refundedAmountMinor()
        - RefundStore.pendingSum(ctx, payment.id());
  }

  private static String truncate(String message) {
    return message.length() > 500 ? message.substring(0, 500) : message;
  }
}
