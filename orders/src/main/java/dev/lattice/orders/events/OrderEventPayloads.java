package dev.lattice.orders.events;

import com.google.protobuf.Message;
import dev.lattice.orders.lifecycle.OrderChange;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderProtos;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.orders.v1.OrderShipped;
import java.util.List;
import java.util.UUID;

/** The payload each order event carries, built from the order after its change. Stateless. */
final class OrderEventPayloads {

  private OrderEventPayloads() {}

  /** OrderCreated of a newly placed order. */
  static OrderCreated created(Order order, String paymentMethodToken) {
    return OrderCreated.newBuilder()
        .setOrderId(order.id().toString())
        .setCustomerId(order.customerId().toString())
        .addAllLines(lines(order))
        .setCurrency(order.currency())
        .setTotalAmountMinor(order.totalAmountMinor())
        .setPaymentMethodToken(paymentMethodToken)
        .build();
  }

  /** The event of {@code order}'s move from {@code from} to its status by {@code change}. */
  static Message changed(Order order, OrderState from, OrderChange change) {
    String orderId = order.id().toString();
    String customerId = order.customerId().toString();
    return switch (order.state()) {
      case PAID ->
          OrderPaid.newBuilder()
              .setOrderId(orderId)
              .setCustomerId(customerId)
              .setPaymentId(string(order.paymentId()))
              .setTotalAmountMinor(order.totalAmountMinor())
              .setCurrency(order.currency())
              .build();
      case PACKED -> OrderPacked.newBuilder().setOrderId(orderId).setCustomerId(customerId).build();
      case SHIPPED ->
          OrderShipped.newBuilder()
              .setOrderId(orderId)
              .setCustomerId(customerId)
              .setCarrier(order.shipmentCarrier())
              .setTrackingNumber(order.shipmentTrackingNumber())
              .build();
      case DELIVERED ->
          OrderDelivered.newBuilder().setOrderId(orderId).setCustomerId(customerId).build();
      case CANCELLED ->
          OrderCancelled.newBuilder()
              .setOrderId(orderId)
              .setCustomerId(customerId)
              .setReason(change.reason())
              .setNote(change.note())
              .setPreviousStatus(from.toProto())
              .build();
      case REFUNDED -> refunded(order, from, change);
      case CREATED -> throw new IllegalStateException("CREATED is published by CreateOrder");
    };
  }

  private static OrderRefunded refunded(Order order, OrderState from, OrderChange change) {
    return OrderRefunded.newBuilder()
        .setOrderId(order.id().toString())
        .setCustomerId(order.customerId().toString())
        .setPaymentId(string(order.paymentId()))
        .setRefundId(order.refundId().toString())
        .setAmountMinor(order.totalAmountMinor())
        .setCurrency(order.currency())
        .addAllLines(lines(order))
        .setPreviousStatus(from.toProto())
        .setCancellationReason(change.reason())
        .setNote(change.note())
        .build();
  }

  private static List<OrderLine> lines(Order order) {
    return order.lines().stream().map(OrderProtos::toProto).toList();
  }

  /** The contract's form of an optional id: empty for none. */
  private static String string(UUID id) {
    return id == null ? "" : id.toString();
  }
}
