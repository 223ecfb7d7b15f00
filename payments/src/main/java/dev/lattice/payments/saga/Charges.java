package dev.lattice.payments.saga;

import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.ChargeRequest;
import dev.lattice.payments.ledger.ChargeRequestStore;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.events.UuidV7Generator;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga's charge steps (decision 0008), on what inventory and orders report about an order. It
 * never calls the provider: it writes what the charge and refund workers then do. Every effect is
 * guarded by the payment's status and taken under the order's lock, so events arriving late or
 * twice do nothing. Stateless.
 */
public final class Charges {

  private static final Logger log = LoggerFactory.getLogger(Charges.class);

  private final Settlements settlements;
  private final String provider;
  private final TraceHeaders traceHeaders;
  private final UuidV7Generator ids;

  /**
   * @param provider the name of the provider adapter charges go through
   * @param traceHeaders captures the trace context a new payment is charged under
   */
  public Charges(Settlements settlements, String provider, TraceHeaders traceHeaders, Clock clock) {
    this.settlements = settlements;
    this.provider = provider;
    this.traceHeaders = traceHeaders;
    this.ids = new UuidV7Generator(clock);
  }

  /**
   * Stock reserved → payment PENDING (history row, cause {@code stock_reserved:<eventId>}), due for
   * the charge worker now, which charges it under the current trace context (the StockReserved
   * event's), so the charge and PaymentCaptured stay in the order's trace; nothing for an order
   * already paid or closed.
   *
   * @return false, with nothing written, while the order's OrderCreated has not been kept as a
   *     charge request yet: the caller tries again later
   */
  public boolean stockReserved(DSLContext tx, UUID tenantId, UUID orderId, String eventId) {
    SagaStore.lockOrder(tx, orderId);
    if (PaymentStore.lockByOrder(tx, tenantId, orderId).isPresent()
        || SagaStore.isClosed(tx, tenantId, orderId)) {
      return true;
    }
    Optional<ChargeRequest> found = ChargeRequestStore.find(tx, tenantId, orderId);
    if (found.isEmpty()) {
      return false;
    }
    ChargeRequest request = found.get();
    PaymentRow payment =
        PaymentRow.pending(
            ids.next(),
            tenantId,
            orderId,
            request.customerId(),
            request.amountMinor(),
            request.currency(),
            provider,
            settlements.now(),
            traceHeaders.capture(Context.current()));
    PaymentStore.insert(tx, payment);
    PaymentStore.recordStatus(tx, ids, payment, "stock_reserved:" + eventId);
    return true;
  }

  /** Stock rejected → the order will not be charged: its charge request goes. */
  public void stockRejected(DSLContext tx, UUID tenantId, UUID orderId) {
    SagaStore.lockOrder(tx, orderId);
    if (PaymentStore.lockByOrder(tx, tenantId, orderId).isPresent()) {
      // A paid order whose reservation was lost: orders answers with OrderRefunded.
      return;
    }
    close(tx, tenantId, orderId, "stock_rejected");
  }

  /**
   * Order cancelled → no charge for this order: without a payment the charge request goes; a
   * payment never sent to the provider fails as {@code order_cancelled}; one in flight is marked
   * {@code cancel_requested} (the worker then only looks the charge up, and refunds a capture);
   * captured money is refunded.
   */
  public void orderCancelled(DSLContext tx, UUID tenantId, UUID orderId, String eventId) {
    SagaStore.lockOrder(tx, orderId);
    Optional<PaymentRow> found = PaymentStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      close(tx, tenantId, orderId, "order_cancelled");
      return;
    }
    PaymentRow payment = found.get();
    String cause = "order_cancelled:" + eventId;
    if (PaymentStatus.PENDING.equals(payment.status())) {
      boolean neverSent = payment.attempts() == 0 && payment.providerChargeId() == null;
      if (neverSent) {
        settlements.fail(
            tx,
            payment,
            null,
            Settlements.ORDER_CANCELLED,
            "the order was cancelled before it was charged",
            false,
            cause,
            PaymentsEvents.SYSTEM);
      } else {
        requestCancel(tx, payment);
      }
    } else if (PaymentStatus.refundable(payment.status())) {
      refundRest(tx, payment, "order cancelled");
    }
  }

  /**
   * Order refunded → a refund of whatever of the payment is not refunded or being refunded yet, for
   * {@code note} (or "order refunded" when blank).
   */
  public void orderRefunded(DSLContext tx, UUID tenantId, UUID orderId, String note) {
    SagaStore.lockOrder(tx, orderId);
    Optional<PaymentRow> found = PaymentStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      log.warn(
          "OrderRefunded for order {} of tenant {} without a payment; nothing to refund",
          orderId,
          tenantId);
      return;
    }
    PaymentRow payment = found.get();
    if (PaymentStatus.PENDING.equals(payment.status())) {
      // Cannot be paid yet; treat it as a cancellation so a late capture is refunded.
      requestCancel(tx, payment);
    } else if (PaymentStatus.refundable(payment.status())) {
      refundRest(tx, payment, note.isBlank() ? "order refunded" : note);
    }
  }

  private void requestCancel(DSLContext tx, PaymentRow payment) {
    if (!payment.cancelRequested()) {
      PaymentStore.markCancelRequested(tx, payment.cancelRequested(settlements.now()));
    }
  }

  private void refundRest(DSLContext tx, PaymentRow payment, String reason) {
    long rest = Settlements.refundable(tx, payment);
    if (rest > 0) {
      settlements.createRefund(
          tx, payment, rest, reason.length() > 500 ? reason.substring(0, 500) : reason);
    }
  }

  private void close(DSLContext tx, UUID tenantId, UUID orderId, String reason) {
    ChargeRequestStore.delete(tx, tenantId, orderId);
    SagaStore.close(tx, tenantId, orderId, reason, settlements.now());
  }
}
