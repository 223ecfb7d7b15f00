package dev.lattice.inventory.events;

import dev.lattice.inventory.stock.LockedStock;
import dev.lattice.inventory.stock.ReservationLine;
import dev.lattice.inventory.stock.ReservationRequest;
import dev.lattice.inventory.stock.Reservations;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import dev.lattice.platform.consumer.TransactionBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * OrderCreated: reserve the order's lines, all or none ({@link Reservations#reserve}). Its consumer
 * handles the events of one pull in one transaction: the first event's handler locks what every
 * event of the transaction needs ({@link LockedStock}), the others find it locked.
 */
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
    ReservationRequest request = request(EventIds.tenant(context), event);
    LockedStock locked =
        context
            .batch()
            .sharedAcrossTenants(
                LockedStock.class,
                () -> reservations.lock(context.tx(), requests(context.batch())));
    reservations.reserve(context.tx(), locked, request, context.envelope().getEventId());
  }

  /**
   * The requests of the transaction's events that are well formed. A malformed one is left out: its
   * own handler fails, and the consumer then handles each event of the batch on its own.
   */
  private static List<ReservationRequest> requests(TransactionBatch batch) {
    List<ReservationRequest> requests = new ArrayList<>();
    for (TransactionBatch.Parsed<OrderCreated> event : batch.parsed(OrderCreated.class)) {
      try {
        requests.add(
            request(EventIds.uuid("tenant_id", event.envelope().getTenantId()), event.payload()));
      } catch (PermanentEventException malformed) {
        // handled as its own event's failure
      }
    }
    return requests;
  }

  private static ReservationRequest request(UUID tenantId, OrderCreated event) {
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
    return new ReservationRequest(tenantId, EventIds.uuid("order_id", event.getOrderId()), lines);
  }
}
