package dev.lattice.payments.ledger;

import dev.lattice.payments.v1.RefundPaymentRequest;
import dev.lattice.payments.v1.RefundPaymentResponse;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.idempotency.Idempotency;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * RefundPayment: a staff refund of part or all of a captured payment. The refund is written PENDING
 * in the call's transaction together with the idempotency key's response, and the refund worker
 * sends it to the provider (refund id = the provider's idempotency key); PaymentRefunded follows
 * when the provider confirms. The provider is never called inside the transaction, so the answer
 * carries the refund PENDING. Thread-safe.
 */
public final class PaymentRefunds {

  /** ErrorInfo reason: the payment is not CAPTURED or PARTIALLY_REFUNDED. */
  public static final String ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION";

  /** ErrorInfo reason: more than the refundable rest was asked. */
  public static final String REFUND_EXCEEDS_CAPTURED = "REFUND_EXCEEDS_CAPTURED";

  private final DSLContext dsl;
  private final Settlements settlements;

  public PaymentRefunds(DSLContext dsl, Settlements settlements) {
    this.dsl = dsl;
    this.settlements = settlements;
  }

  /**
   * Refunds {@code request.amount_minor} (everything refundable when unset).
   *
   * @throws dev.lattice.platform.errors.NotFoundException PAYMENT_NOT_FOUND
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH
   * @throws FailedPreconditionException {@value #ILLEGAL_TRANSITION} or {@value
   *     #REFUND_EXCEEDS_CAPTURED} (metadata {@code refundable_amount_minor})
   */
  public RefundPaymentResponse refund(UUID tenantId, RefundPaymentRequest request) {
    UUID paymentId = UUID.fromString(request.getPaymentId());
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          PaymentRow payment =
              PaymentStore.lock(tx, tenantId, paymentId).orElseThrow(PaymentStore::notFound);
          Versions.require("payment", payment.version(), request.getVersion());
          if (!PaymentStatus.refundable(payment.status())) {
            throw new FailedPreconditionException(
                ILLEGAL_TRANSITION,
                "only a CAPTURED or PARTIALLY_REFUNDED payment can be refunded; this one is "
                    + payment.status(),
                Map.of("status", payment.status()));
          }
          long refundable = Settlements.refundable(tx, payment);
          long amount = request.hasAmountMinor() ? request.getAmountMinor() : refundable;
          if (amount <= 0 || amount > refundable) {
            throw new FailedPreconditionException(
                REFUND_EXCEEDS_CAPTURED,
                "the refund exceeds what remains to refund",
                Map.of("refundable_amount_minor", Long.toString(refundable)));
          }
          RefundRow refund = settlements.createRefund(tx, payment, amount, request.getReason());
          PaymentRow refunded = PaymentStore.find(tx, tenantId, paymentId).orElseThrow();
          RefundPaymentResponse response =
              RefundPaymentResponse.newBuilder()
                  .setPayment(PaymentViews.load(tx, refunded))
                  .setRefund(PaymentViews.toProto(refund))
                  .build();
          Idempotency.require().complete(tx, response);
          return response;
        });
  }
}
