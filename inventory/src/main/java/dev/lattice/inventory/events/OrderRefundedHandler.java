package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.ReservationTransitions;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;

/** OrderRefunded: put the order's units back on sale ({@link ReservationTransitions#refund}). */
public final class OrderRefundedHandler implements EventHandler<OrderRefunded> {

  private final ReservationTransitions reservations;

  public OrderRefundedHandler(ReservationTransitions reservations) {
    this.reservations = reservations;
  }

  /**
   * @throws dev.lattice.platform.consumer.PermanentEventException if an id is not a UUID
   */
  @Override
  public void handle(EventContext context, OrderRefunded event) {
    reservations.refund(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        context.envelope().getEventId());
  }
}
