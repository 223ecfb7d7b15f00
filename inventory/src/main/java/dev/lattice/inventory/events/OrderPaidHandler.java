package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.ReservationTransitions;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;

/** OrderPaid: commit the order's reservation ({@link ReservationTransitions#commit}). */
public final class OrderPaidHandler implements EventHandler<OrderPaid> {

  private final ReservationTransitions reservations;

  public OrderPaidHandler(ReservationTransitions reservations) {
    this.reservations = reservations;
  }

  /**
   * @throws dev.lattice.platform.consumer.PermanentEventException if an id is not a UUID
   */
  @Override
  public void handle(EventContext context, OrderPaid event) {
    reservations.commit(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        context.envelope().getEventId());
  }
}
