package dev.lattice.notifications.events;

import dev.lattice.notifications.delivery.DeliveryPlanner;
import dev.lattice.notifications.delivery.Trigger;
import dev.lattice.notifications.messages.NotificationType;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderShipped;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Orders' and payments' events that customers hear about. They name the customer by id only; the
 * address comes from the recipient directory. The object of an order message is the order, of a
 * refund message the refund.
 */
public final class CommerceHandlers {

  private final DeliveryPlanner planner;

  public CommerceHandlers(DeliveryPlanner planner) {
    this.planner = planner;
  }

  /** OrderPaid. */
  public EventHandler<OrderPaid> orderPaid() {
    return (context, event) ->
        plan(
            context,
            NotificationType.ORDER_PAID,
            event.getCustomerId(),
            event.getOrderId(),
            Map.of(
                "order_id",
                event.getOrderId(),
                "amount",
                EventFacts.amount(event.getTotalAmountMinor(), event.getCurrency()),
                "currency",
                event.getCurrency()));
  }

  /** OrderCancelled. */
  public EventHandler<OrderCancelled> orderCancelled() {
    return (context, event) ->
        plan(
            context,
            NotificationType.ORDER_CANCELLED,
            event.getCustomerId(),
            event.getOrderId(),
            Map.of(
                "order_id",
                event.getOrderId(),
                "reason",
                event
                    .getReason()
                    .name()
                    .replaceFirst("^CANCELLATION_REASON_", "")
                    .replace('_', ' ')
                    .toLowerCase(Locale.ROOT),
                "note",
                event.getNote()));
  }

  /** OrderShipped. */
  public EventHandler<OrderShipped> orderShipped() {
    return (context, event) ->
        plan(
            context,
            NotificationType.ORDER_SHIPPED,
            event.getCustomerId(),
            event.getOrderId(),
            Map.of(
                "order_id",
                event.getOrderId(),
                "carrier",
                event.getCarrier(),
                "tracking_number",
                event.getTrackingNumber()));
  }

  /** OrderDelivered. */
  public EventHandler<OrderDelivered> orderDelivered() {
    return (context, event) ->
        plan(
            context,
            NotificationType.ORDER_DELIVERED,
            event.getCustomerId(),
            event.getOrderId(),
            Map.of("order_id", event.getOrderId()));
  }

  /** PaymentRefunded: one message per refund. */
  public EventHandler<PaymentRefunded> paymentRefunded() {
    return (context, event) ->
        plan(
            context,
            NotificationType.PAYMENT_REFUNDED,
            event.getCustomerId(),
            event.getRefundId(),
            Map.of(
                "order_id",
                event.getOrderId(),
                "refund_amount",
                EventFacts.amount(event.getAmountMinor(), event.getCurrency()),
                "refunded_amount",
                EventFacts.amount(event.getRefundedAmountMinor(), event.getCurrency()),
                "currency",
                event.getCurrency(),
                "fully_refunded",
                event.getFullyRefunded() ? "true" : "",
                "reason",
                event.getReason()));
  }

  private void plan(
      EventContext context,
      NotificationType type,
      String customerId,
      String objectId,
      Map<String, String> values) {
    planner.plan(
        context.tx(),
        context.batch(),
        new Trigger(
            EventFacts.tenant(context),
            EventIds.uuid("customer_id", customerId),
            type,
            objectId,
            values,
            Optional.empty(),
            EventFacts.eventId(context),
            context.envelope().getType()));
  }
}
