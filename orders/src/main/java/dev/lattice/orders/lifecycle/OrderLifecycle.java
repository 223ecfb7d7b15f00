package dev.lattice.orders.lifecycle;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.events.OrderEvents;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderAccess;
import dev.lattice.orders.order.OrderErrors;
import dev.lattice.orders.order.OrderProtos;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.store.OrderHistoryStore;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.RefundOrderResponse;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.idempotency.IdempotencyClaim;
import java.time.Clock;
import java.util.Collection;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every status change of an order, by RPC or by saga event, through the table of {@link
 * OrderAction}. A change bumps the version, sets update_time and the time column of the new status,
 * appends a status history row and writes the event, all in one transaction. Thread-safe.
 */
public final class OrderLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OrderLifecycle.class);

  private final DSLContext dsl;
  private final OrderEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public OrderLifecycle(DSLContext dsl, OrderEvents events, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /**
   * A staff step or a cancellation by RPC, on the order at {@code version}.
   *
   * @throws dev.lattice.platform.errors.NotFoundException ORDER_NOT_FOUND when the caller cannot
   *     see the order
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH for a stale version
   * @throws dev.lattice.platform.errors.FailedPreconditionException ILLEGAL_TRANSITION
   */
  public Order change(OrderAccess caller, UUID orderId, long version, OrderChange change) {
    return Transactions.inTenantTransaction(
        dsl,
        caller.tenantId(),
        tx -> {
          Order order = lockVisible(tx, caller, orderId);
          Versions.require("order", order.version(), version);
          return apply(tx, order, change, caller.actor(), null);
        });
  }

  /**
   * CancelOrder: CREATED → CANCELLED; a paid order → REFUNDED (a customer: PAID only; staff: PAID
   * or PACKED). The reason is CUSTOMER_REQUEST when a customer cancels, STAFF_REQUEST otherwise.
   */
  public Order cancel(OrderAccess caller, UUID orderId, long version, String note) {
    OrderAction action = caller.manages() ? OrderAction.CANCEL : OrderAction.CANCEL_BY_CUSTOMER;
    CancellationReason reason =
        caller.manages()
            ? CancellationReason.CANCELLATION_REASON_STAFF_REQUEST
            : CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST;
    return change(caller, orderId, version, OrderChange.cancel(action, reason, note));
  }

  /**
   * RefundOrder (staff, idempotency key): a paid order → REFUNDED with a new refund id; the
   * response is stored with the key in the same transaction.
   */
  public RefundOrderResponse refund(
      OrderAccess caller, UUID orderId, long version, String reason, IdempotencyClaim claim) {
    return Transactions.inTenantTransaction(
        dsl,
        caller.tenantId(),
        tx -> {
          Order order = lockVisible(tx, caller, orderId);
          Versions.require("order", order.version(), version);
          Order refunded = apply(tx, order, OrderChange.refund(reason), caller.actor(), null);
          RefundOrderResponse response =
              RefundOrderResponse.newBuilder().setOrder(OrderProtos.toProto(refunded)).build();
          claim.complete(tx, response);
          return response;
        });
  }

  /**
   * Locks the orders of the saga events one transaction handles ({@code orderIds} of {@code
   * tenantIds}), in id order, before any of them changes ({@link OrderStore#lockAll}).
   */
  public void lockAll(DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> orderIds) {
    OrderStore.lockAll(tx, tenantIds, orderIds);
  }

  /**
   * A saga event's change, inside the consumer's inbox transaction: applied when the order's status
   * allows it, otherwise consumed with no effect (decision 0008).
   *
   * @return true when the order changed
   * @throws PermanentEventException when the event names no order of its tenant (dead-lettered)
   */
  public boolean onEvent(DSLContext tx, Envelope envelope, String orderId, OrderChange change) {
    UUID tenantId = EventIds.uuid("tenant_id", envelope.getTenantId());
    UUID id = EventIds.uuid("order_id", orderId);
    Order order =
        OrderStore.lock(tx, tenantId, id)
            .orElseThrow(
                () ->
                    new PermanentEventException(
                        "event "
                            + envelope.getEventId()
                            + " names order "
                            + id
                            + ", unknown in tenant "
                            + tenantId));
    OrderState from = order.state();
    if (change.action().target(from).isEmpty()) {
      log.info(
          "event {} ({}) does not apply to order {} in status {}: no effect",
          envelope.getEventId(),
          envelope.getType(),
          id,
          from);
      return false;
    }
    Actor actor =
        Actor.newBuilder()
            .setType(ActorType.ACTOR_TYPE_SERVICE)
            .setSubjectId(envelope.getSource())
            .build();
    apply(tx, order, change, actor, EventIds.uuid("event_id", envelope.getEventId()));
    return true;
  }

  private Order apply(
      DSLContext tx, Order order, OrderChange change, Actor actor, UUID causeEventId) {
    OrderState from = order.state();
    OrderState to =
        change
            .action()
            .target(from)
            .orElseThrow(
                () -> OrderErrors.illegalTransition(from, change.action().nominalTarget()));
    Order changed = OrderTransition.of(order, to, change, Order.now(clock), ids::next);
    OrderStore.update(tx, changed);
    OrderHistoryStore.append(
        tx, changed, from, change.cause(), change.note(), actor, causeEventId, ids.next());
    events.changed(tx, changed, from, change, actor, causeEventId);
    return changed;
  }

  private static Order lockVisible(DSLContext tx, OrderAccess caller, UUID orderId) {
    return OrderStore.lock(tx, caller.tenantId(), orderId)
        .filter(caller::sees)
        .orElseThrow(OrderErrors::notFound);
  }
}
