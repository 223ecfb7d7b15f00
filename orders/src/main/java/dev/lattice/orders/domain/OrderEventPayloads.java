package dev.lattice.orders.domain;

import com.google.protobuf.Message;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.orders.v1.OrderShipped;
import java.util.UUID;

/** The event each status change publishes, built from the order after the change. */
final class OrderEventPayloads {

  private OrderEventPayloads() {}

  /**
   * The event of {@code order}'s move from {@code from} to its current status by {@code change}.
   *
   * @param refundId the refund id stored on the order; null unless it is REFUNDED
   */
  static Message of(Order order, UUID refundId, OrderState from, OrderChange change) {
    return switch (OrderState.of(order.getStatus())) {
      case PAID -> OrderPaid.newBuilder()
          .setOrderId(order.getId())
          .setCustomerId(order.getCustomerId())
          .setPaymentId(order.getPaymentId())
          .setTotalAmountMinor(order.getTotalAmountMinor())
          .setCurrency(order.getCurrency())
          .build();
      case PACKED -> OrderPacked.newBuilder()
          .setOrderId(order.getId())
          .setCustomerId(order.getCustomerId())
          .build();
      case SHIPPED -> OrderShipped.newBuilder()
          .setOrderId(order.getId())
          .setCustomerId(order.getCustomerId())
          .setCarrier(order.getShipment().getCarrier())
          .setTrackingNumber(order.getShipment().getTrackingNumber())
          .build();
      case DELIVERED -> OrderDelivered.newBuilder()
          .setOrderId(order.getId())
          .setCustomerId(order.getCustomerId())
          .build();
      case CANCELLED -> OrderCancelled.newBuilder()
          .setOrderId(order.getId())
          .setCustomerId(order.getCustomerId())
          .setReason(change.reason())
          .setNote(change.note())
          .setPreviousStatus(from.toProto())
          .build();
      case REFUNDED -> refunded(order, refundId, from, change);
      case CREATED -> throw new IllegalStateException("CREATED is published by CreateOrder");
    };
  }

  private static OrderRefunded refunded(
      Order order, UUID refundId, OrderState from, OrderChange change) {
    return OrderRefunded.newBuilder()
        .setOrderId(order.getId())
        .setCustomerId(order.getCustomerId())
        .setPaymentId(order.getPaymentId())
        .setRefundId(refundId.toString())
        .setAmountMinor(order.getTotalAmountMinor())
        .setCurrency(order.getCurrency())
        .addAllLines(order.getLinesList())
        .setPreviousStatus(from.toProto())
        .setCancellationReason(change.reason())
        .setNote(change.note())
        .build();
  }
}
