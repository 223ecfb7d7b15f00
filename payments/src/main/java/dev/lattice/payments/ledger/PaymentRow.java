package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
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
    boolean cancelRequested) {

  /** A new PENDING payment at version 1, due for the charge worker at {@code now}. */
  public static PaymentRow pending(
      UUID id,
      UUID tenantId,
      UUID orderId,
      UUID customerId,
      long amountMinor,
      String currency,
      String provider,
      OffsetDateTime now) {
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
        false);
  }

  /** This payment with the provider's charge id. */
  public PaymentRow withProviderChargeId(String chargeId) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refundedAmountMinor,
        currency,
        status,
        provider,
        chargeId,
        failureCode,
        failureMessage,
        createTime,
        updateTime,
        version,
        nextAttemptTime,
        attempts,
        leaseUntil,
        leaseToken,
        cancelRequested);
  }

  /** This payment with a failure code and message. */
  public PaymentRow withFailure(String code, String message) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refundedAmountMinor,
        currency,
        status,
        provider,
        providerChargeId,
        code,
        message,
        createTime,
        updateTime,
        version,
        nextAttemptTime,
        attempts,
        leaseUntil,
        leaseToken,
        cancelRequested);
  }

  /** This payment with {@code refunded} minor units refunded in all. */
  public PaymentRow withRefundedAmountMinor(long refunded) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refunded,
        currency,
        status,
        provider,
        providerChargeId,
        failureCode,
        failureMessage,
        createTime,
        updateTime,
        version,
        nextAttemptTime,
        attempts,
        leaseUntil,
        leaseToken,
        cancelRequested);
  }

  /** This payment one version on at {@code now}, nothing else changed. */
  public PaymentRow touched(OffsetDateTime now) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refundedAmountMinor,
        currency,
        status,
        provider,
        providerChargeId,
        failureCode,
        failureMessage,
        createTime,
        now,
        version + 1,
        nextAttemptTime,
        attempts,
        leaseUntil,
        leaseToken,
        cancelRequested);
  }

  /** This payment one version on at {@code now} with cancel_requested set. */
  public PaymentRow cancelRequested(OffsetDateTime now) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refundedAmountMinor,
        currency,
        status,
        provider,
        providerChargeId,
        failureCode,
        failureMessage,
        createTime,
        now,
        version + 1,
        nextAttemptTime,
        attempts,
        leaseUntil,
        leaseToken,
        true);
  }

  /** This payment in {@code newStatus}, one version on at {@code now}, no longer due nor leased. */
  public PaymentRow changedTo(String newStatus, OffsetDateTime now) {
    return new PaymentRow(
        id,
        tenantId,
        orderId,
        customerId,
        amountMinor,
        refundedAmountMinor,
        currency,
        newStatus,
        provider,
        providerChargeId,
        failureCode,
        failureMessage,
        createTime,
        now,
        version + 1,
        null,
        attempts,
        null,
        null,
        cancelRequested);
  }
}
