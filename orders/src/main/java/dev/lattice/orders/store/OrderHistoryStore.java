package dev.lattice.orders.store;

import static dev.lattice.orders.store.jooq.Tables.ORDER_STATUS_HISTORY;

import dev.lattice.events.v1.Actor;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderState;
import dev.lattice.platform.db.RenderedStatement;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

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
    APPEND.execute(
        tx,
        historyId,
        order.tenantId(),
        order.id(),
        from == null ? null : from.name(),
        order.state().name(),
        reason,
        note,
        actor.getType().name().substring("ACTOR_TYPE_".length()),
        actor.getSubjectId(),
        causeEventId,
        OrderStore.utc(order.updateTime()));
  }

  // Every status change runs this: rendered once.
  private static final RenderedStatement APPEND =
      RenderedStatement.of(
          DSL.insertInto(ORDER_STATUS_HISTORY)
              .set(ORDER_STATUS_HISTORY.ID, DSL.param("id", ORDER_STATUS_HISTORY.ID))
              .set(
                  ORDER_STATUS_HISTORY.TENANT_ID,
                  DSL.param("tenant_id", ORDER_STATUS_HISTORY.TENANT_ID))
              .set(
                  ORDER_STATUS_HISTORY.ORDER_ID,
                  DSL.param("order_id", ORDER_STATUS_HISTORY.ORDER_ID))
              .set(
                  ORDER_STATUS_HISTORY.FROM_STATUS,
                  DSL.param("from_status", ORDER_STATUS_HISTORY.FROM_STATUS))
              .set(
                  ORDER_STATUS_HISTORY.TO_STATUS,
                  DSL.param("to_status", ORDER_STATUS_HISTORY.TO_STATUS))
              .set(ORDER_STATUS_HISTORY.REASON, DSL.param("reason", ORDER_STATUS_HISTORY.REASON))
              .set(ORDER_STATUS_HISTORY.NOTE, DSL.param("note", ORDER_STATUS_HISTORY.NOTE))
              .set(
                  ORDER_STATUS_HISTORY.ACTOR_TYPE,
                  DSL.param("actor_type", ORDER_STATUS_HISTORY.ACTOR_TYPE))
              .set(
                  ORDER_STATUS_HISTORY.ACTOR_SUBJECT_ID,
                  DSL.param("actor_subject_id", ORDER_STATUS_HISTORY.ACTOR_SUBJECT_ID))
              .set(
                  ORDER_STATUS_HISTORY.CAUSE_EVENT_ID,
                  DSL.param("cause_event_id", ORDER_STATUS_HISTORY.CAUSE_EVENT_ID))
              .set(
                  ORDER_STATUS_HISTORY.CHANGE_TIME,
                  DSL.param("change_time", ORDER_STATUS_HISTORY.CHANGE_TIME)),
          "id",
          "tenant_id",
          "order_id",
          "from_status",
          "to_status",
          "reason",
          "note",
          "actor_type",
          "actor_subject_id",
          "cause_event_id",
          "change_time");
}
