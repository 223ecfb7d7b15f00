package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A payment as stored in {@code payments}: one per order, its amounts in minor units, its status
 * ({@link PaymentStatus}), the provider's charge, and the charge worker's schedule and lease.
 * Immutable; a change is a new row that {@link PaymentStore} writes.
 *
 * @param providerChargeId null until the provider named the charge
 * @param failureCode null unless FAILED
 * @param failureMessage null unless FAILED
 * @param nextAttemptTime when the charge worker is due to act, null once settled
 * @param leaseUntil null unless a worker holds the payment
 * @param leaseToken null unless a worker holds the payment
 * @param traceHeaders the trace context (W3C headers) of the event that made the payment due, under
 *     which the charge worker runs; empty when there was none
 */
public record PaymentRow(
    UUID id,
    UUID tenantId,
    UUID orderId,
    UUID customerId,
    long amountMinor,
    long refundedAmountMinor,
    String currency,
    String status,
    String provider,
    String providerChargeId,
    String failureCode,
    String failureMessage,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    long version,
    OffsetDateTime nextAttemptTime,
    int attempts,
    OffsetDateTime leaseUntil,
    UUID leaseToken,
    boolean cancelRequested,
    Map<String, String> traceHeaders) {

  /** Copies the trace headers. */
  public PaymentRow {
    traceHeaders = Map.copyOf(traceHeaders);
  }

  /**
   * A new PENDING payment at version 1, due for the charge worker at {@code now}, which charges it
   * under the trace context {@code traceHeaders}.
   */
  public static PaymentRow pending(
      UUID id,
      UUID tenantId,
      UUID orderId,
      UUID customerId,
      long amountMinor,
      String currency,
      String provider,
      OffsetDateTime now,
      Map<String, String> traceHeaders) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        0L,
        currency,
        PaymentStatus.PENDING,
        provider,
        null,
        null,
        null,
        now,
        now,
        1L,
        now,
        0,
        null,
        null,
        false,
        traceHeaders);
  }

  /** This payment with the provider's charge id. */
  public PaymentRow withProviderChargeId(String chargeId) {
    Copy next = new Copy(this);
    next.providerChargeId = chargeId;
    return next.row();
  }

  /** This payment with a failure code and message. */
  public PaymentRow withFailure(String code, String message) {
    Copy next = new Copy(this);
    next.failureCode = code;
    next.failureMessage = message;
    return next.row();
  }

  /** This payment with {@code refunded} minor units refunded in all. */
  public PaymentRow withRefundedAmountMinor(long refunded) {
    Copy next = new Copy(this);
    next.refundedAmountMinor = refunded;
    return next.row();
  }

  /** This payment one version on at {@code now}, nothing else changed. */
  public PaymentRow touched(OffsetDateTime now) {
    return new Copy(this).nextVersion(now).row();
  }

  /** This payment one version on at {@code now} with cancel_requested set. */
  public PaymentRow cancelRequested(OffsetDateTime now) {
    Copy next = new Copy(this).nextVersion(now);
    next.cancelRequested = true;
    return next.row();
  }

  /** This payment in {@code newStatus}, one version on at {@code now}, no longer due nor leased. */
  public PaymentRow changedTo(String newStatus, OffsetDateTime now) {
    Copy next = new Copy(this).nextVersion(now);
    next.status = newStatus;
    next.nextAttemptTime = null;
    next.leaseUntil = null;
    next.leaseToken = null;
    return next.row();
  }

  /** A row being changed: the fields a change may touch, the rest read from the original. */
  private static final class Copy {
    private final PaymentRow from;
    private long refundedAmountMinor;
    private String status;
    private String providerChargeId;
    private String failureCode;
    private String failureMessage;
    private OffsetDateTime updateTime;
    private long version;
    private OffsetDateTime nextAttemptTime;
    private OffsetDateTime leaseUntil;
    private UUID leaseToken;
    private boolean cancelRequested;

    Copy(PaymentRow from) {
      this.from = from;
      refundedAmountMinor = from.refundedAmountMinor;
      status = from.status;
      providerChargeId = from.providerChargeId;
      failureCode = from.failureCode;
      failureMessage = from.failureMessage;
      updateTime = from.updateTime;
      version = from.version;
      nextAttemptTime = from.nextAttemptTime;
      leaseUntil = from.leaseUntil;
      leaseToken = from.leaseToken;
      cancelRequested = from.cancelRequested;
    }

    /** One version on, updated at {@code now}. */
    Copy nextVersion(OffsetDateTime now) {
      updateTime = now;
      version = from.version + 1;
      return this;
    }

    PaymentRow row() {
      return new PaymentRow(
          from.id,
          from.tenantId,
          from.orderId,
          from.customerId,
          from.amountMinor,
          refundedAmountMinor,
          from.currency,
          status,
          from.provider,
          providerChargeId,
          failureCode,
          failureMessage,
          from.createTime,
          updateTime,
          version,
          nextAttemptTime,
          from.attempts,
          leaseUntil,
          leaseToken,
          cancelRequested,
          from.traceHeaders);
    }
  }
}
