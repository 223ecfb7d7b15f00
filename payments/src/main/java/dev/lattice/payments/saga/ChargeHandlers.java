package dev.lattice.payments.saga;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;
import static dev.lattice.payments.store.jooq.Tables.CLOSED_ORDERS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;

import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.store.jooq.tables.records.ChargeRequestsRecord;
import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.TransientEventException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer {@code charges} (decision 0008), on INVENTORY (StockReserved, StockRejected) and on
 * ORDERS (OrderCancelled, OrderRefunded). It never calls the provider: it writes what the charge
 * and refund workers then do. Every effect is guarded by the payment's status, so events arriving
 * late or twice do nothing. Stateless.
 */
public final class ChargeHandlers {

  private static final Logger log = LoggerFactory.getLogger(ChargeHandlers.class);

  private final Settlements settlements;
  private final String provider;
  private final UuidV7Generator ids;

  /**
   * @param provider the name of the provider adapter charges go through
   */
  public ChargeHandlers(Settlements settlements, String provider, Clock clock) {
    this.settlements = settlements;
    this.provider = provider;
    this.ids = new UuidV7Generator(clock);
  }

  /**
   * StockReserved → payment PENDING (history row), due for the charge worker now. Waits (transient
   * failure) while the order's OrderCreated has not reached {@code charge-requests} yet.
   */
  public void onStockReserved(EventContext context, StockReserved event) {
    DSLContext tx = context.tx();
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    OrderLocks.lock(tx, orderId);
    if (PaymentStore.lockByOrder(tx, tenantId, orderId).isPresent() || closed(tx, tenantId, orderId)) {
      return;
    }
    ChargeRequestsRecord request = tx.selectFrom(CHARGE_REQUESTS)
        .where(CHARGE_REQUESTS.TENANT_ID.eq(tenantId))
        .and(CHARGE_REQUESTS.ORDER_ID.eq(orderId))
        .fetchOptional()
        .orElseThrow(() -> new TransientEventException(
            "no charge request for order " + orderId + " yet (OrderCreated not consumed)"));
    OffsetDateTime now = settlements.now();
    PaymentsRecord payment = tx.newRecord(PAYMENTS);
    payment.setId(ids.next());
    payment.setTenantId(tenantId);
    payment.setOrderId(orderId);
    payment.setCustomerId(request.getCustomerId());
    payment.setAmountMinor(request.getAmountMinor());
    payment.setRefundedAmountMinor(0L);
    payment.setCurrency(request.getCurrency());
    payment.setStatus(PaymentStatus.PENDING);
    payment.setProvider(provider);
    payment.setCreateTime(now);
    payment.setUpdateTime(now);
    payment.setVersion(1L);
    payment.setNextAttemptTime(now);
    payment.setAttempts(0);
    payment.setCancelRequested(false);
    payment.insert();
    PaymentStore.recordStatus(tx, ids, payment, "stock_reserved:" + context.envelope().getEventId());
  }

  /** StockRejected → the order will not be charged: its charge request goes. */
  public void onStockRejected(EventContext context, StockRejected event) {
    DSLContext tx = context.tx();
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    OrderLocks.lock(tx, orderId);
    if (PaymentStore.lockByOrder(tx, tenantId, orderId).isPresent()) {
      // A paid order whose reservation was lost: orders answers with OrderRefunded.
      return;
    }
    close(tx, tenantId, orderId, "stock_rejected");
  }

  /**
   * OrderCancelled → no charge for this order: without a payment the charge request goes; a
   * payment never sent to the provider fails as {@code order_cancelled}; one in flight is marked
   * {@code cancel_requested} (the worker then only looks the charge up, and refunds a capture);
   * captured money is refunded.
   */
  public void onOrderCancelled(EventContext context, OrderCancelled event) {
    DSLContext tx = context.tx();
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    OrderLocks.lock(tx, orderId);
    Optional<PaymentsRecord> found = PaymentStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      close(tx, tenantId, orderId, "order_cancelled");
      return;
    }
    PaymentsRecord payment = found.get();
    String cause = "order_cancelled:" + context.envelope().getEventId();
    if (PaymentStatus.PENDING.equals(payment.getStatus())) {
      boolean neverSent = payment.getAttempts() == 0 && payment.getProviderChargeId() == null;
      if (neverSent) {
        settlements.fail(tx, payment, null, Settlements.ORDER_CANCELLED,
            "the order was cancelled before it was charged", false, cause, PaymentsEvents.SYSTEM);
      } else if (!payment.getCancelRequested()) {
        payment.setCancelRequested(true);
        payment.setUpdateTime(settlements.now());
        payment.setVersion(payment.getVersion() + 1);
        payment.update(PAYMENTS.CANCEL_REQUESTED, PAYMENTS.UPDATE_TIME, PAYMENTS.VERSION);
      }
    } else if (PaymentStatus.refundable(payment.getStatus())) {
      refundRest(tx, payment, "order cancelled");
    }
  }

  /** OrderRefunded → a refund of whatever of the payment is not refunded or being refunded yet. */
  public void onOrderRefunded(EventContext context, OrderRefunded event) {
    DSLContext tx = context.tx();
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    OrderLocks.lock(tx, orderId);
    Optional<PaymentsRecord> found = PaymentStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      log.warn("OrderRefunded for order {} of tenant {} without a payment; nothing to refund",
          orderId, tenantId);
      return;
    }
    PaymentsRecord payment = found.get();
    if (PaymentStatus.PENDING.equals(payment.getStatus())) {
      // Cannot be paid yet; treat it as a cancellation so a late capture is refunded.
      if (!payment.getCancelRequested()) {
        payment.setCancelRequested(true);
        payment.setUpdateTime(settlements.now());
        payment.setVersion(payment.getVersion() + 1);
        payment.update(PAYMENTS.CANCEL_REQUESTED, PAYMENTS.UPDATE_TIME, PAYMENTS.VERSION);
      }
    } else if (PaymentStatus.refundable(payment.getStatus())) {
      refundRest(tx, payment, event.getNote().isBlank() ? "order refunded" : event.getNote());
    }
  }

  private void refundRest(DSLContext tx, PaymentsRecord payment, String reason) {
    long rest = PaymentStore.refundable(tx, payment);
    if (rest > 0) {
      settlements.createRefund(tx, payment, rest, reason.length() > 500 ? reason.substring(0, 500) : reason);
    }
  }

  private static boolean closed(DSLContext tx, UUID tenantId, UUID orderId) {
    return tx.fetchExists(CLOSED_ORDERS,
        CLOSED_ORDERS.TENANT_ID.eq(tenantId).and(CLOSED_ORDERS.ORDER_ID.eq(orderId)));
  }

  private void close(DSLContext tx, UUID tenantId, UUID orderId, String reason) {
    Settlements.dropChargeRequest(tx, tenantId, orderId);
    tx.insertInto(CLOSED_ORDERS)
        .set(CLOSED_ORDERS.TENANT_ID, tenantId)
        .set(CLOSED_ORDERS.ORDER_ID, orderId)
        .set(CLOSED_ORDERS.REASON, reason)
        .set(CLOSED_ORDERS.CLOSE_TIME, settlements.now())
        .onConflictDoNothing()
        .execute();
  }
}
