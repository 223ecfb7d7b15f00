package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.ReservationTransitions;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;

/**
 * OrderCancelled: release the order's ACTIVE reservation ({@link ReservationTransitions#release}).
 */
public final class OrderCancelledHandler implements EventHandler<OrderCancelled> {

  private final ReservationTransitions reservations;

  public OrderCancelledHandler(ReservationTransitions reservations) {
    this.reservations = reservations;
  }

  /**
   * @throws dev.lattice.platform.consumer.PermanentEventException if an id is not a UUID
   */
  @Override
  public void handle(EventContext context, OrderCancelled event) {
    reservations.release(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        context.envelope().getEventId());
  }
}
