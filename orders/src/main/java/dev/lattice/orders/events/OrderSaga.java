package dev.lattice.orders.events;

import com.google.protobuf.Message;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.orders.lifecycle.OrderAction;
import dev.lattice.orders.lifecycle.OrderChange;
import dev.lattice.orders.lifecycle.OrderLifecycle;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

/**
 * Orders' side of the saga (decision 0008): what inventory and payments report moves the order.
 * Each handler runs in its consumer's inbox transaction; an event that does not apply to the
 * order's current status is consumed with no effect. Stateless and thread-safe.
 *
 * <table>
 *   <tr><th>event</th><th>effect</th></tr>
 *   <tr><td>PaymentCaptured</td><td>CREATED → PAID (payment id), OrderPaid</td></tr>
 *   <tr><td>PaymentFailed</td><td>CREATED → CANCELLED (PAYMENT_FAILED), OrderCancelled</td></tr>
 *   <tr><td>StockRejected</td><td>CREATED → CANCELLED (STOCK_REJECTED), OrderCancelled;
 *       PAID/PACKED → REFUNDED (STOCK_REJECTED), OrderRefunded</td></tr>
 *   <tr><td>ReservationExpired</td><td>CREATED → CANCELLED (RESERVATION_EXPIRED),
 *       OrderCancelled</td></tr>
 * </table>
 */
public final class OrderSaga {

  private final OrderLifecycle lifecycle;

  public OrderSaga(OrderLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** PaymentCaptured (PAYMENTS). */
  public void paymentCaptured(EventContext context, PaymentCaptured payment) {
    lockBatch(context, PaymentCaptured.class, PaymentCaptured::getOrderId);
    UUID paymentId = EventIds.uuid("payment_id", payment.getPaymentId());
    lifecycle.onEvent(
        context.tx(), context.envelope(), payment.getOrderId(), OrderChange.pay(paymentId));
  }

  /**
   * Locks the orders of every event of the transaction of {@code type}, once, at its first event:
   * for a consumer that handles a pull in one transaction. An order id that is not a UUID is left
   * out: its own event fails, and the consumer then handles each event on its own.
   */
  private <T extends Message> void lockBatch(
      EventContext context, Class<T> type, Function<T, String> orderId) {
    context
        .batch()
        .lockOnce(
            type,
            orderId,
            orders -> lifecycle.lockAll(context.tx(), orders.tenantIds(), orders.ids()));
  }

  /** PaymentFailed (PAYMENTS); the failure code becomes the cancellation note. */
  public void paymentFailed(EventContext context, PaymentFailed payment) {
    lifecycle.onEvent(
        context.tx(),
        context.envelope(),
        payment.getOrderId(),
        OrderChange.cancel(
            OrderAction.ABANDON,
            CancellationReason.CANCELLATION_REASON_PAYMENT_FAILED,
            payment.getFailureCode()));
  }

  /** StockRejected (INVENTORY); the rejection reason becomes the note. */
  public void stockRejected(EventContext context, StockRejected rejection) {
    String note =
        rejection
            .getReason()
            .name()
            .replace("STOCK_REJECTION_REASON_", "")
            .toLowerCase(Locale.ROOT);
    lifecycle.onEvent(
        context.tx(),
        context.envelope(),
        rejection.getOrderId(),
        OrderChange.cancel(
            OrderAction.CANCEL, CancellationReason.CANCELLATION_REASON_STOCK_REJECTED, note));
  }

  /** ReservationExpired (INVENTORY). */
  public void reservationExpired(EventContext context, ReservationExpired expiry) {
    lifecycle.onEvent(
        context.tx(),
        context.envelope(),
        expiry.getOrderId(),
        OrderChange.cancel(
            OrderAction.ABANDON, CancellationReason.CANCELLATION_REASON_RESERVATION_EXPIRED, ""));
  }
}
