package dev.lattice.orders.order;

import com.google.protobuf.Timestamp;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.Shipment;
import java.time.Instant;

/**
 * The contract form ({@code lattice.orders.v1}) of an order and its lines, as the RPCs answer and
 * the events carry them. The contract's {@code Order} and {@code OrderLine} are named in full here,
 * beside this package's own. Stateless.
 */
public final class OrderProtos {

  private OrderProtos() {}

  /** The contract form of {@code order} with its lines. */
  public static dev.lattice.orders.v1.Order toProto(Order order) {
    dev.lattice.orders.v1.Order.Builder proto =
        dev.lattice.orders.v1.Order.newBuilder()
            .setId(order.id().toString())
            .setTenantId(order.tenantId().toString())
            .setCustomerId(order.customerId().toString())
            .setStatus(order.state().toProto())
            .setCurrency(order.currency())
            .setTotalAmountMinor(order.totalAmountMinor())
            .setCancellationNote(order.cancellationNote())
            .setCreateTime(timestamp(order.createTime()))
            .setUpdateTime(timestamp(order.updateTime()))
            .setVersion(order.version());
    order.lines().forEach(line -> proto.addLines(toProto(line)));
    if (order.cancellationReason() != CancellationReason.CANCELLATION_REASON_UNSPECIFIED) {
      proto.setCancellationReason(order.cancellationReason());
    }
    if (order.paymentId() != null) {
      proto.setPaymentId(order.paymentId().toString());
    }
    if (order.shipmentCarrier() != null) {
      proto.setShipment(
          Shipment.newBuilder()
              .setCarrier(order.shipmentCarrier())
              .setTrackingNumber(order.shipmentTrackingNumber())
              .setShipTime(timestamp(order.shipTime())));
    }
    setTimes(order, proto);
    return proto.build();
  }

  /** The contract form of a line. */
  public static dev.lattice.orders.v1.OrderLine toProto(OrderLine line) {
    return dev.lattice.orders.v1.OrderLine.newBuilder()
        .setProductId(line.productId().toString())
        .setSku(line.sku())
        .setName(line.name())
        .setQuantity(line.quantity())
        .setUnitPriceAmountMinor(line.unitPriceAmountMinor())
        .setLineTotalAmountMinor(line.lineTotalAmountMinor())
        .build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(Instant time) {
    return Timestamp.newBuilder()
        .setSeconds(time.getEpochSecond())
        .setNanos(time.getNano())
        .build();
  }

  private static void setTimes(Order order, dev.lattice.orders.v1.Order.Builder proto) {
    if (order.payTime() != null) {
      proto.setPayTime(timestamp(order.payTime()));
    }
    if (order.packTime() != null) {
      proto.setPackTime(timestamp(order.packTime()));
    }
    if (order.deliverTime() != null) {
      proto.setDeliverTime(timestamp(order.deliverTime()));
    }
    if (order.cancelTime() != null) {
      proto.setCancelTime(timestamp(order.cancelTime()));
    }
    if (order.refundTime() != null) {
      proto.setRefundTime(timestamp(order.refundTime()));
    }
  }
}
