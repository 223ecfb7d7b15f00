package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.ReservationLine;
import dev.lattice.inventory.stock.Reservations;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import java.util.ArrayList;
import java.util.List;

/** OrderCreated: reserve the order's lines, all or none ({@link Reservations#reserve}). */
public final class OrderCreatedHandler implements EventHandler<OrderCreated> {

  private final Reservations reservations;

  public OrderCreatedHandler(Reservations reservations) {
    this.reservations = reservations;
  }

  /**
   * @throws PermanentEventException if the order has no lines, a line has no positive quantity, or
   *     an id is not a UUID: orders never publishes such an order, and a retry cannot fix it
   */
  @Override
  public void handle(EventContext context, OrderCreated event) {
    if (event.getLinesCount() == 0) {
      throw new PermanentEventException("order " + event.getOrderId() + " has no lines");
    }
    List<ReservationLine> lines = new ArrayList<>(event.getLinesCount());
    for (OrderLine line : event.getLinesList()) {
      if (line.getQuantity() < 1) {
        throw new PermanentEventException(
            "order " + event.getOrderId() + " has a line of quantity " + line.getQuantity());
      }
      lines.add(
          new ReservationLine(
              EventIds.uuid("product_id", line.getProductId()), line.getQuantity()));
    }
    reservations.reserve(
        context.tx(),
        EventIds.tenant(context),
        EventIds.uuid("order_id", event.getOrderId()),
        lines,
        context.envelope().getEventId());
  }
}
