package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;
import static dev.lattice.payments.store.jooq.Tables.REFUNDS;

import dev.lattice.events.v1.Actor;
import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.payments.store.jooq.tables.records.RefundsRecord;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The state changes of payments and refunds, each inside the caller's transaction on a row the
 * caller has locked: the new status, a status history row and the event, together. Every change
 * is guarded by the current status, so a second report of the same outcome (a webhook after the
 * worker's answer, a redelivered event) changes nothing and returns false. Thread-safe.
 */
public final class Settlements {

  /** The failure code of a payment closed because its order was cancelled before any charge. */
  public static final String ORDER_CANCELLED = "order_cancelled";

  private final PaymentsEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Settlements(PaymentsEvents events, Clock clock) {
    this.events = events;
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
   * PENDING → CAPTURED with the provider's charge id, PaymentCaptured, and the charge request
   * (the card token) deleted. A payment whose order was cancelled meanwhile gets a refund of the
   * whole amount at once (decision 0008: no customer pays for a cancelled order).
   */
  public boolean capture(DSLContext tx, PaymentsRecord payment, String chargeId, String cause, Actor actor) {
    if (!PaymentStatus.PENDING.equals(payment.getStatus())) {
      return false;
    }
    payment.setProviderChargeId(chargeId);
    change(tx, payment, PaymentStatus.CAPTURED, cause);
    events.payment(tx, payment.getTenantId(), payment.getId(), payment.getVersion(), actor,
        PaymentCaptured.newBuilder()
            .setPaymentId(payment.getId().toString())
            .setOrderId(payment.getOrderId().toString())
            .setCustomerId(payment.getCustomerId().toString())
            .setAmountMinor(payment.getAmountMinor())
            .setCurrency(payment.getCurrency())
            .setProvider(payment.getProvider())
            .setProviderChargeId(chargeId)
            .build());
    if (payment.getCancelRequested() && payment.getAmountMinor() > 0) {
      createRefund(tx, payment, payment.getAmountMinor(), "order cancelled before the charge settled");
    }
    return true;
  }

  /**
   * PENDING → FAILED with {@code code}, the charge request deleted, and PaymentFailed unless the
   * payment is closed because its order was cancelled (nobody waits for that outcome).
   */
  public boolean fail(
      DSLContext tx, PaymentsRecord payment, String chargeId, String code, String message,
      boolean retryable, String cause, Actor actor) {
    if (!PaymentStatus.PENDING.equals(payment.getStatus())) {
      return false;
    }
    if (chargeId != null && !chargeId.isEmpty()) {
      payment.setProviderChargeId(chargeId);
    }
    payment.setFailureCode(code);
    payment.setFailureMessage(message == null ? "" : truncate(message));
    change(tx, payment, PaymentStatus.FAILED, cause);
    if (!ORDER_CANCELLED.equals(code)) {
      events.payment(tx, payment.getTenantId(), payment.getId(), payment.getVersion(), actor,
          PaymentFailed.newBuilder()
              .setPaymentId(payment.getId().toString())
              .setOrderId(payment.getOrderId().toString())
              .setCustomerId(payment.getCustomerId().toString())
              .setFailureCode(code)
              .setFailureMessage(payment.getFailureMessage())
              .setRetryable(retryable)
              .build());
    }
    return true;
  }

  /**
   * A PENDING refund of {@code amount} for {@code payment}, due for the refund worker now; the
   * payment's version grows (a refund was committed against it). The caller checked the amount.
   */
  public RefundsRecord createRefund(DSLContext tx, PaymentsRecord payment, long amount, String reason) {
    OffsetDateTime now = now();
    RefundsRecord refund = tx.newRecord(REFUNDS);
    refund.setId(ids.next());
    refund.setTenantId(payment.getTenantId());
    refund.setPaymentId(payment.getId());
    refund.setAmountMinor(amount);
    refund.setCurrency(payment.getCurrency());
    refund.setReason(reason);
    refund.setStatus(PaymentStatus.REFUND_PENDING);
    refund.setProvider(payment.getProvider());
    refund.setCreateTime(now);
    refund.setUpdateTime(now);
    refund.setVersion(1L);
    refund.setNextAttemptTime(now);
    refund.setAttempts(0);
    refund.insert();
    payment.setUpdateTime(now);
    payment.setVersion(payment.getVersion() + 1);
    payment.update(PAYMENTS.UPDATE_TIME, PAYMENTS.VERSION);
    return refund;
  }

  /**
   * A PENDING refund → SUCCEEDED; the payment's refunded amount grows and it becomes
   * PARTIALLY_REFUNDED or REFUNDED; PaymentRefunded.
   */
  public boolean refundSucceeded(
      DSLContext tx, PaymentsRecord payment, RefundsRecord refund, String providerRefundId, Actor actor) {
    if (!PaymentStatus.REFUND_PENDING.equals(refund.getStatus())) {
      return false;
    }
    OffsetDateTime now = now();
    refund.setStatus(PaymentStatus.REFUND_SUCCEEDED);
    refund.setProviderRefundId(providerRefundId);
    refund.setCompleteTime(now);
    refund.setUpdateTime(now);
    refund.setVersion(refund.getVersion() + 1);
    refund.setNextAttemptTime(null);
    refund.setLeaseUntil(null);
    refund.setLeaseToken(null);
    refund.update();
    long refunded = payment.getRefundedAmountMinor() + refund.getAmountMinor();
    payment.setRefundedAmountMinor(refunded);
    boolean full = refunded >= payment.getAmountMinor();
    change(tx, payment, full ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED,
        "refund:" + refund.getId());
    events.payment(tx, payment.getTenantId(), payment.getId(), payment.getVersion(), actor,
        PaymentRefunded.newBuilder()
            .setPaymentId(payment.getId().toString())
            .setOrderId(payment.getOrderId().toString())
            .setCustomerId(payment.getCustomerId().toString())
            .setRefundId(refund.getId().toString())
            .setAmountMinor(refund.getAmountMinor())
            .setCurrency(refund.getCurrency())
            .setRefundedAmountMinor(refunded)
            .setFullyRefunded(full)
            .setReason(refund.getReason())
            .build());
    return true;
  }

  /** A PENDING refund → FAILED with {@code code}; the payment is unchanged. */
  public boolean refundFailed(DSLContext tx, RefundsRecord refund, String code, String message) {
    if (!PaymentStatus.REFUND_PENDING.equals(refund.getStatus())) {
      return false;
    }
    OffsetDateTime now = now();
    refund.setStatus(PaymentStatus.REFUND_FAILED);
    refund.setFailureCode(code);
    refund.setFailureMessage(message == null ? "" : truncate(message));
    refund.setUpdateTime(now);
    refund.setVersion(refund.getVersion() + 1);
    refund.setNextAttemptTime(null);
    refund.setLeaseUntil(null);
    refund.setLeaseToken(null);
    refund.update();
    return true;
  }

  /** Deletes the charge request (and card token) of the payment's order. */
  public static void dropChargeRequest(DSLContext tx, UUID tenantId, UUID orderId) {
    tx.deleteFrom(CHARGE_REQUESTS)
        .where(CHARGE_REQUESTS.TENANT_ID.eq(tenantId))
        .and(CHARGE_REQUESTS.ORDER_ID.eq(orderId))
        .execute();
  }

  private void change(DSLContext tx, PaymentsRecord payment, String status, String cause) {
    payment.setStatus(status);
    payment.setUpdateTime(now());
    payment.setVersion(payment.getVersion() + 1);
    payment.setNextAttemptTime(null);
    payment.setLeaseUntil(null);
    payment.setLeaseToken(null);
    payment.update();
    PaymentStore.recordStatus(tx, ids, payment, cause);
    if (!PaymentStatus.PENDING.equals(status)) {
      dropChargeRequest(tx, payment.getTenantId(), payment.getOrderId());
    }
  }

  private static String truncate(String message) {
    return message.length() > 500 ? message.substring(0, 500) : message;
  }
}
