package dev.lattice.orders.lifecycle;

import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.v1.CancellationReason;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An order after one allowed status change: the next version, the update time, and the time column
 * and details of the status it reaches (the payment, the shipment, the cancellation, the refund).
 * Stateless.
 */
final class OrderTransition {

  private OrderTransition() {}

  /**
   * {@code order} moved to {@code to} by {@code change} at {@code now}.
   *
   * @param refundIds gives the new refund id when the order becomes REFUNDED
   */
  static Order of(
      Order order, OrderState to, OrderChange change, Instant now, Supplier<UUID> refundIds) {
    UUID paymentId = order.paymentId();
    UUID refundId = order.refundId();
    String carrier = order.shipmentCarrier();
    String trackingNumber = order.shipmentTrackingNumber();
    CancellationReason reason = order.cancellationReason();
    String note = order.cancellationNote();
    Instant payTime = order.payTime();
    Instant packTime = order.packTime();
    Instant shipTime = order.shipTime();
    Instant deliverTime = order.deliverTime();
    Instant cancelTime = order.cancelTime();
    Instant refundTime = order.refundTime();
    switch (to) {
      case PAID -> {
        paymentId = change.paymentId();
        payTime = now;
      }
      case PACKED -> packTime = now;
      case SHIPPED -> {
        carrier = change.carrier();
        trackingNumber = change.trackingNumber();
        shipTime = now;
      }
      case DELIVERED -> deliverTime = now;
      case CANCELLED -> {
        reason = change.reason();
        note = change.note();
        cancelTime = now;
      }
      case REFUNDED -> {
        reason = change.reason();
        note = change.note();
        refundId = refundIds.get();
        refundTime = now;
      }
      case CREATED -> throw new IllegalStateException("no action leads back to CREATED");
    }
    return new Order(
        order.id(),
        order.tenantId(),
        order.customerId(),
        to,
        order.currency(),
        order.totalAmountMinor(),
        order.lines(),
        reason,
        note,
        paymentId,
        refundId,
        carrier,
        trackingNumber,
        order.createTime(),
        now,
        payTime,
        packTime,
        shipTime,
        deliverTime,
        cancelTime,
        refundTime,
        order.version() + 1);
  }
}
