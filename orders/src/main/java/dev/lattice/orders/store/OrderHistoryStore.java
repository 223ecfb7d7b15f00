package dev.lattice.orders.store;

import static dev.lattice.orders.store.jooq.Tables.ORDER_STATUS_HISTORY;

import dev.lattice.events.v1.Actor;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderState;
import dev.lattice.platform.db.RenderedStatement;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
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
  private static final List<Field<?>> APPEND_COLUMNS =
      List.of(
          ORDER_STATUS_HISTORY.ID,
          ORDER_STATUS_HISTORY.TENANT_ID,
          ORDER_STATUS_HISTORY.ORDER_ID,
          ORDER_STATUS_HISTORY.FROM_STATUS,
          ORDER_STATUS_HISTORY.TO_STATUS,
          ORDER_STATUS_HISTORY.REASON,
          ORDER_STATUS_HISTORY.NOTE,
          ORDER_STATUS_HISTORY.ACTOR_TYPE,
          ORDER_STATUS_HISTORY.ACTOR_SUBJECT_ID,
          ORDER_STATUS_HISTORY.CAUSE_EVENT_ID,
          ORDER_STATUS_HISTORY.CHANGE_TIME);

  private static final RenderedStatement APPEND =
      RenderedStatement.of(
          DSL.insertInto(ORDER_STATUS_HISTORY, APPEND_COLUMNS)
              .values(RenderedStatement.parametersFor(APPEND_COLUMNS)),
          RenderedStatement.namesOf(APPEND_COLUMNS));
}
