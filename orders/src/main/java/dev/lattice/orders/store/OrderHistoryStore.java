package dev.lattice.orders.store;

import static dev.lattice.orders.store.jooq.Tables.ORDER_STATUS_HISTORY;

import dev.lattice.events.v1.Actor;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.store.jooq.tables.records.OrderStatusHistoryRecord;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The status history of orders: one row per status an order reached, written in the transaction of
 * the change. Shared by placement (the first row) and the lifecycle. Stateless.
 */
public final class OrderHistoryStore {

  private OrderHistoryStore() {}

  /**
   * Appends the row of {@code order}'s move to its current status, at its update time.
   *
   * @param from the status before, null for the order's creation
   * @param reason the cancellation reason, or what caused the change ({@code payment_captured})
   * @param causeEventId the event that caused the change; null when an RPC did
   */
  public static void append(
      DSLContext tx,
      Order order,
      OrderState from,
      String reason,
      String note,
      Actor actor,
      UUID causeEventId,
      UUID historyId) {
    OrderStatusHistoryRecord row = tx.newRecord(ORDER_STATUS_HISTORY);
    row.setId(historyId);
    row.setTenantId(order.tenantId());
    row.setOrderId(order.id());
    row.setFromStatus(from == null ? null : from.name());
    row.setToStatus(order.state().name());
    row.setReason(reason);
    row.setNote(note);
    row.setActorType(actor.getType().name().substring("ACTOR_TYPE_".length()));
    row.setActorSubjectId(actor.getSubjectId());
    row.setCauseEventId(causeEventId);
    row.setChangeTime(OrderStore.utc(order.updateTime()));
    row.insert();
  }
}
