package dev.lattice.payments.saga;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;
import static dev.lattice.payments.store.jooq.Tables.CLOSED_ORDERS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;

import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Consumer {@code charge-requests} on ORDERS: keeps what OrderCreated says payments will need to
 * charge the order once its stock is reserved (amount, currency, customer, card token), in {@code
 * charge_requests} for at most the configured time. Nothing is kept for an order that already has
 * a payment or that payments saw closed (StockRejected, OrderCancelled arrived first). Stateless.
 */
public final class ChargeRequestHandler {

  private final Settlements settlements;
  private final Duration ttl;

  public ChargeRequestHandler(Settlements settlements, Duration ttl) {
    this.settlements = settlements;
    this.ttl = ttl;
  }

  /** OrderCreated → a charge request. */
  public void onOrderCreated(EventContext context, OrderCreated event) {
    DSLContext tx = context.tx();
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    OrderLocks.lock(tx, orderId);
    if (event.getPaymentMethodToken().isEmpty() || event.getTotalAmountMinor() < 0
        || !event.getCurrency().matches("[A-Z]{3}")) {
      throw new PermanentEventException("OrderCreated " + orderId + " cannot be charged: "
          + "token, amount or currency missing or invalid");
    }
    boolean closed = tx.fetchExists(CLOSED_ORDERS,
        CLOSED_ORDERS.TENANT_ID.eq(tenantId).and(CLOSED_ORDERS.ORDER_ID.eq(orderId)));
    boolean paid = tx.fetchExists(PAYMENTS,
        PAYMENTS.TENANT_ID.eq(tenantId).and(PAYMENTS.ORDER_ID.eq(orderId)));
    if (closed || paid) {
      return;
    }
    OffsetDateTime now = settlements.now();
    tx.insertInto(CHARGE_REQUESTS)
        .set(CHARGE_REQUESTS.ID, settlements.newId())
        .set(CHARGE_REQUESTS.TENANT_ID, tenantId)
        .set(CHARGE_REQUESTS.ORDER_ID, orderId)
        .set(CHARGE_REQUESTS.CUSTOMER_ID, EventIds.uuid("customer_id", event.getCustomerId()))
        .set(CHARGE_REQUESTS.AMOUNT_MINOR, event.getTotalAmountMinor())
        .set(CHARGE_REQUESTS.CURRENCY, event.getCurrency())
        .set(CHARGE_REQUESTS.PAYMENT_METHOD_TOKEN, event.getPaymentMethodToken())
        .set(CHARGE_REQUESTS.CREATE_TIME, now)
        .set(CHARGE_REQUESTS.EXPIRE_TIME, now.plus(ttl))
        .onConflict(CHARGE_REQUESTS.TENANT_ID, CHARGE_REQUESTS.ORDER_ID)
        .doNothing()
        .execute();
  }
}
