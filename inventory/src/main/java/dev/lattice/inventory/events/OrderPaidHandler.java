package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.Reservations;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;

/** OrderPaid: commit the order's reservation ({@link Reservations#commit}). */
public final class OrderPaidHandler implements EventHandler<OrderPaid> {

  private final Reservations reservations;

  public OrderPaidHandler(Reservations reservations) {
    this.reservations = reservations;
  }

  /** @throws dev.lattice.platform.consumer.PermanentEventException if an id is not a UUID */
  @Override
  public void handle(EventContext context, OrderPaid event) {
    reservations.commit(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        context.envelope().getEventId());
  }
}
