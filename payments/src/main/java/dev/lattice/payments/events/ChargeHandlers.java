package dev.lattice.payments.events;

import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.payments.saga.Charges;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;

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

  /** StockReserved → {@link Charges#stockReserved}. */
  public void onStockReserved(EventContext context, StockReserved event) {
    charges.stockReserved(context.tx(), EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()), context.envelope().getEventId());
  }

  /** StockRejected → {@link Charges#stockRejected}. */
  public void onStockRejected(EventContext context, StockRejected event) {
    charges.stockRejected(context.tx(), EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()));
  }

  /** OrderCancelled → {@link Charges#orderCancelled}. */
  public void onOrderCancelled(EventContext context, OrderCancelled event) {
    charges.orderCancelled(context.tx(), EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()), context.envelope().getEventId());
  }

  /** OrderRefunded → {@link Charges#orderRefunded} with the order's note. */
  public void onOrderRefunded(EventContext context, OrderRefunded event) {
    charges.orderRefunded(context.tx(), EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()), event.getNote());
  }
}
