package dev.lattice.payments.events;

import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.payments.saga.Charges;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.TransientEventException;
import java.util.UUID;

/**
 * Consumer {@code charges} (decision 0008), on INVENTORY (StockReserved, StockRejected) and on
 * ORDERS (OrderCancelled, OrderRefunded): each event becomes a call on the saga's {@link Charges}
 * in the consumer's transaction. Stateless.
 */
public final class ChargeHandlers {

  private final Charges charges;

  public ChargeHandlers(Charges charges) {
    this.charges = charges;
  }

  /**
   * StockReserved → {@link Charges#stockReserved}; waits (transient failure) while the order's
   * OrderCreated has not reached {@code charge-requests} yet.
   */
  public void onStockReserved(EventContext context, StockReserved event) {
    BatchOrders.lock(context, StockReserved.class, StockReserved::getOrderId);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    if (!charges.stockReserved(
        context.tx(), EventIds.tenant(context), orderId, context.envelope().getEventId())) {
      throw new TransientEventException(
          "no charge request for order " + orderId + " yet (OrderCreated not consumed)");
    }
  }

  /** StockRejected → {@link Charges#stockRejected}. */
  public void onStockRejected(EventContext context, StockRejected event) {
    charges.stockRejected(
        context.tx(), EventIds.tenant(context), EventIds.uuid("order_id", event.getOrderId()));
  }

  /** OrderCancelled → {@link Charges#orderCancelled}. */
  public void onOrderCancelled(EventContext context, OrderCancelled event) {
    charges.orderCancelled(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        context.envelope().getEventId());
  }

  /** OrderRefunded → {@link Charges#orderRefunded} with the order's note. */
  public void onOrderRefunded(EventContext context, OrderRefunded event) {
    charges.orderRefunded(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        event.getNote());
  }
}
