package dev.lattice.payments.events;

import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.payments.saga.ChargeRequests;
import dev.lattice.payments.saga.OrderToCharge;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import dev.lattice.platform.consumer.PermanentEventException;
import java.util.UUID;

/**
 * Consumer {@code charge-requests} on ORDERS: an OrderCreated that can be charged becomes a call on
 * the saga's {@link ChargeRequests} in the consumer's transaction; one without a token, with a
 * negative amount or a malformed currency fails permanently. Stateless.
 */
public final class ChargeRequestHandler {

  private final ChargeRequests chargeRequests;

  public ChargeRequestHandler(ChargeRequests chargeRequests) {
    this.chargeRequests = chargeRequests;
  }

  /** OrderCreated → {@link ChargeRequests#keep}. */
  public void onOrderCreated(EventContext context, OrderCreated event) {
    BatchOrders.lock(context, OrderCreated.class, OrderCreated::getOrderId);
    UUID tenantId = EventIds.tenant(context);
    UUID orderId = EventIds.uuid("order_id", event.getOrderId());
    if (event.getPaymentMethodToken().isEmpty()
        || event.getTotalAmountMinor() < 0
        || !event.getCurrency().matches("[A-Z]{3}")) {
      throw new PermanentEventException(
          "OrderCreated "
              + orderId
              + " cannot be charged: "
              + "token, amount or currency missing or invalid");
    }
    chargeRequests.keep(
        context.tx(),
        new OrderToCharge(
            tenantId,
            orderId,
            EventIds.uuid("customer_id", event.getCustomerId()),
            event.getTotalAmountMinor(),
            event.getCurrency(),
            event.getPaymentMethodToken()));
  }
}
