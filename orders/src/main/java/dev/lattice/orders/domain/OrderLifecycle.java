package dev.lattice.orders.domain;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.events.OrderEvents;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.store.jooq.tables.records.OrderLinesRecord;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.RefundOrderResponse;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.idempotency.IdempotencyClaim;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every status change of an order, by RPC or by saga event, through the table of {@link
 * OrderAction}. A change bumps the version, sets update_time and the time column of the new
 * status, appends a status history row and writes the event, all in one transaction. Thread-safe.
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
    return Transactions.inTransaction(dsl, tx -> {
      OrdersRecord order = lockVisible(tx, caller, orderId);
      Versions.require("order", order.getVersion(), version);
      return apply(tx, order, change, caller.actor(), null);
    });
  }

  /**
   * CancelOrder: CREATED → CANCELLED; a paid order → REFUNDED (a customer: PAID only; staff: PAID
   * or PACKED). The reason is CUSTOMER_REQUEST when a customer cancels, STAFF_REQUEST otherwise.
   */
  public Order cancel(OrderAccess caller, UUID orderId, long version, String note) {
    OrderAction action = caller.manages() ? OrderAction.CANCEL : OrderAction.CANCEL_BY_CUSTOMER;
    CancellationReason reason = caller.manages()
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
    return Transactions.inTransaction(dsl, tx -> {
      OrdersRecord order = lockVisible(tx, caller, orderId);
      Versions.require("order", order.getVersion(), version);
      RefundOrderResponse response = RefundOrderResponse.newBuilder()
          .setOrder(apply(tx, order, OrderChange.refund(reason), caller.actor(), null))
          .build();
      claim.complete(tx, response);
      return response;
    });
  }

  /**
   * A saga event's change, inside the consumer's inbox transaction: applied when the order's
   * status allows it, otherwise consumed with no effect (decision 0008).
   *
   * @return true when the order changed
   * @throws PermanentEventException when the event names no order of its tenant (dead-lettered)
   */
  public boolean onEvent(DSLContext tx, Envelope envelope, String orderId, OrderChange change) {
    UUID tenantId = EventIds.uuid("tenant_id", envelope.getTenantId());
    UUID id = EventIds.uuid("order_id", orderId);
    OrdersRecord order = OrderStore.lock(tx, tenantId, id)
        .orElseThrow(() -> new PermanentEventException(
            "event " + envelope.getEventId() + " names order " + id + ", unknown in tenant " + tenantId));
    OrderState from = OrderStore.state(order);
    if (change.action().target(from).isEmpty()) {
      log.info("event {} ({}) does not apply to order {} in status {}: no effect",
          envelope.getEventId(), envelope.getType(), id, from);
      return false;
    }
    Actor actor = Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_SERVICE)
        .setSubjectId(envelope.getSource())
        .build();
    apply(tx, order, change, actor, EventIds.uuid("event_id", envelope.getEventId()));
    return true;
  }

  private Order apply(
      DSLContext tx, OrdersRecord order, OrderChange change, Actor actor, UUID causeEventId) {
    OrderState from = OrderStore.state(order);
    OrderState to = change.action().target(from)
        .orElseThrow(() -> OrderErrors.illegalTransition(from, change.action().nominalTarget()));
    OffsetDateTime now = OrderStore.utc(clock.instant());
    order.setStatus(to.name());
    order.setVersion(order.getVersion() + 1);
    order.setUpdateTime(now);
    switch (to) {
      case PAID -> {
        order.setPaymentId(change.paymentId());
        order.setPayTime(now);
      }
      case PACKED -> order.setPackTime(now);
      case SHIPPED -> {
        order.setShipmentCarrier(change.carrier());
        order.setShipmentTrackingNumber(change.trackingNumber());
        order.setShipTime(now);
      }
      case DELIVERED -> order.setDeliverTime(now);
      case CANCELLED -> {
        order.setCancellationReason(change.storedReason());
        order.setCancellationNote(change.note());
        order.setCancelTime(now);
      }
      case REFUNDED -> {
        order.setCancellationReason(change.storedReason());
        order.setCancellationNote(change.note());
        order.setRefundId(ids.next());
        order.setRefundTime(now);
      }
      case CREATED -> throw new IllegalStateException("no action leads back to CREATED");
    }
    order.update();
    OrderStore.history(tx, order, from, change.cause(), change.note(), actor, causeEventId, ids.next());
    List<OrderLinesRecord> lines = OrderStore.lines(tx, order.getTenantId(), order.getId());
    Order result = OrderStore.toProto(order, lines);
    events.append(tx, order, actor, OrderEventPayloads.of(result, order.getRefundId(), from, change), causeEventId);
    return result;
  }

  private static OrdersRecord lockVisible(DSLContext tx, OrderAccess caller, UUID orderId) {
    return OrderStore.lock(tx, caller.tenantId(), orderId)
        .filter(caller::sees)
        .orElseThrow(OrderErrors::notFound);
  }
}
