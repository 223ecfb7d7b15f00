package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.ReservationTransitions;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import java.util.UUID;

/**
 * OrderPaid: commit the order's reservation ({@link ReservationTransitions#commit}). Its consumer
 * handles the events of one pull in one transaction: the first event's handler locks what every
 * event of the transaction will change ({@link ReservationTransitions#lockAll}), the others find it
 * locked.
 */
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
    UUID tenant = EventIds.tenant(context);
    UUID order = EventIds.uuid("order_id", event.getOrderId());
    context
        .batch()
        .lockOnce(
            OrderPaid.class,
            OrderPaid::getOrderId,
            orders -> reservations.lockAll(context.tx(), orders.tenantIds(), orders.ids()));
    reservations.commit(context.tx(), tenant, order, context.envelope().getEventId());
  }
}
