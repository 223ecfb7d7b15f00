package dev.lattice.orders;

import static dev.lattice.orders.OrdersHarness.keyed;
import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.DeliverOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.orders.v1.OrderShipped;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.PackOrderRequest;
import dev.lattice.orders.v1.RefundOrderRequest;
import dev.lattice.orders.v1.RefundOrderResponse;
import dev.lattice.orders.v1.ShipOrderRequest;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.testing.service.EventTap;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The order's state machine: the saga events of decision 0008 (published here as inventory and
 * payments would), the staff steps to DELIVERED, cancellations and refunds, illegal moves, late and
 * repeated events, and stale versions.
 */
class OrdersLifecycleIT extends OrdersTestBase {

  @Test
  void paymentCaptured_paysTheOrder_andARepeatHasNoEffect() throws Exception {
    Order order = place(alice, request(teapot, 2));
    String paymentId = UUID.randomUUID().toString();
    Envelope capture = capture(order, paymentId);

    Order paid = awaitStatus(order, OrderStatus.ORDER_STATUS_PAID);
    assertThat(paid.getPaymentId()).isEqualTo(paymentId);
    assertThat(paid.getVersion()).isEqualTo(2);
    assertThat(paid.hasPayTime()).isTrue();
    assertThat(paid.getUpdateTime()).isEqualTo(paid.getPayTime());
    assertThat(paid.getLinesList()).isEqualTo(order.getLinesList());

    Envelope event =
        harness.events().await(OrderPaid.class, e -> e.getOrderId().equals(order.getId()));
    assertThat(event.getAggregateVersion()).isEqualTo(2);
    assertThat(event.getCausationId()).isEqualTo(capture.getEventId());
    assertThat(event.getActor().getType()).isEqualTo(ActorType.ACTOR_TYPE_SERVICE);
    OrderPaid payload = EventTap.unpack(event, OrderPaid.class);
    assertThat(payload.getPaymentId()).isEqualTo(paymentId);
    assertThat(payload.getTotalAmountMinor()).isEqualTo(2500);
    assertThat(payload.getCurrency()).isEqualTo("EUR");
    assertThat(payload.getCustomerId()).isEqualTo(aliceId.toString());
    assertThat(
            harness.sqlLong(
                "select count(*) from order_status_history where order_id = ?::uuid and from_status = 'CREATED'"
                    + " and to_status = 'PAID' and actor_type = 'SERVICE' and cause_event_id = ?::uuid",
                order.getId(),
                capture.getEventId()))
        .isEqualTo(1);

    // The same event delivered again (a replayed dead letter, past the duplicate window) and a
    // second capture (another event id) change nothing; one consumer handles them in order.
    harness.republish(capture, capture.getEventId() + ":replay:1");
    Envelope again = capture(order, UUID.randomUUID().toString());
    awaitProcessed(again.getEventId());
    assertThat(get(order)).isEqualTo(paid);
    assertThat(harness.events().all(OrderPaid.class, e -> e.getOrderId().equals(order.getId())))
        .hasSize(1);
  }

  @Test
  void paymentFailed_cancelsTheOrder() throws Exception {
    Order order = place(alice, request(teapot, 1));
    harness.publish(
        "payments",
        tenant,
        PaymentFailed.newBuilder()
            .setPaymentId(UUID.randomUUID().toString())
            .setOrderId(order.getId())
            .setCustomerId(aliceId.toString())
            .setFailureCode("card_declined")
            .build());
    Order cancelled = awaitStatus(order, OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_PAYMENT_FAILED);
    assertThat(cancelled.getCancellationNote()).isEqualTo("card_declined");
    assertThat(cancelled.hasCancelTime()).isTrue();
    assertThat(cancelled.getVersion()).isEqualTo(2);
    OrderCancelled event =
        EventTap.unpack(
            harness.events().await(OrderCancelled.class, e -> e.getOrderId().equals(order.getId())),
            OrderCancelled.class);
    assertThat(event.getReason()).isEqualTo(CancellationReason.CANCELLATION_REASON_PAYMENT_FAILED);
    assertThat(event.getNote()).isEqualTo("card_declined");
    assertThat(event.getPreviousStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);

    // CANCELLED -> PAID by a late capture: consumed, no effect.
    Envelope late = capture(order, UUID.randomUUID().toString());
    awaitProcessed(late.getEventId());
    assertThat(get(order)).isEqualTo(cancelled);
    assertThat(harness.events().all(OrderPaid.class, e -> e.getOrderId().equals(order.getId())))
        .isEmpty();
  }

  @Test
  void stockRejected_cancelsAnUnpaidOrder_andRefundsAPaidOne() throws Exception {
    Order unpaid = place(alice, request(teapot, 1));
    rejectStock(unpaid);
    Order cancelled = awaitStatus(unpaid, OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STOCK_REJECTED);
    assertThat(cancelled.getCancellationNote()).isEqualTo("insufficient_stock");
    harness
        .events()
        .await(
            OrderCancelled.class,
            e ->
                e.getOrderId().equals(unpaid.getId())
                    && e.getReason() == CancellationReason.CANCELLATION_REASON_STOCK_REJECTED);

    Order order = place(alice, request(cup, 3));
    String paymentId = UUID.randomUUID().toString();
    capture(order, paymentId);
    awaitStatus(order, OrderStatus.ORDER_STATUS_PAID);
    rejectStock(order);
    Order refunded = awaitStatus(order, OrderStatus.ORDER_STATUS_REFUNDED);
    assertThat(refunded.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STOCK_REJECTED);
    assertThat(refunded.hasRefundTime()).isTrue();
    assertThat(refunded.hasCancelTime()).isFalse();
    assertThat(refunded.getVersion()).isEqualTo(3);
    OrderRefunded event =
        EventTap.unpack(
            harness.events().await(OrderRefunded.class, e -> e.getOrderId().equals(order.getId())),
            OrderRefunded.class);
    assertThat(event.getPaymentId()).isEqualTo(paymentId);
    assertThat(event.getRefundId()).isEqualTo(refundIdOf(order));
    assertThat(event.getAmountMinor()).isEqualTo(1197);
    assertThat(event.getCurrency()).isEqualTo("EUR");
    assertThat(event.getLinesList()).isEqualTo(order.getLinesList());
    assertThat(event.getPreviousStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PAID);
    assertThat(event.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STOCK_REJECTED);
  }

  @Test
  void reservationExpired_cancelsOnlyAnUnpaidOrder() throws Exception {
    Order unpaid = place(alice, request(teapot, 1));
    expire(unpaid);
    Order cancelled = awaitStatus(unpaid, OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_RESERVATION_EXPIRED);

    Order paid = place(alice, request(teapot, 1));
    capture(paid, UUID.randomUUID().toString());
    Order paidNow = awaitStatus(paid, OrderStatus.ORDER_STATUS_PAID);
    Envelope expiry = expire(paid);
    awaitProcessed(expiry.getEventId());
    assertThat(get(paid)).isEqualTo(paidNow);
  }

  @Test
  void staffPackShipAndDeliver_andIllegalMovesFail() throws Exception {
    Order order = place(alice, request(teapot, 1));
    StatusRuntimeException shipUnpaid = failure(() -> staff.shipOrder(ship(order)));
    assertThat(code(shipUnpaid)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(shipUnpaid).getReason()).isEqualTo("ILLEGAL_TRANSITION");
    assertThat(errorInfo(shipUnpaid).getMetadataMap())
        .containsEntry("from", "CREATED")
        .containsEntry("to", "SHIPPED");
    assertThat(code(failure(() -> alice.packOrder(pack(order)))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    capture(order, UUID.randomUUID().toString());
    Order paid = awaitStatus(order, OrderStatus.ORDER_STATUS_PAID);
    Order packed = staff.packOrder(pack(paid)).getOrder();
    assertThat(packed.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PACKED);
    assertThat(packed.getVersion()).isEqualTo(3);
    assertThat(packed.hasPackTime()).isTrue();

    StatusRuntimeException stale = failure(() -> staff.shipOrder(ship(paid)));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    assertThat(errorInfo(stale).getReason()).isEqualTo("VERSION_MISMATCH");
    assertThat(errorInfo(stale).getMetadataMap()).containsEntry("currentVersion", "3");

    Order shipped = staff.shipOrder(ship(packed)).getOrder();
    assertThat(shipped.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_SHIPPED);
    assertThat(shipped.getShipment().getCarrier()).isEqualTo("DHL");
    assertThat(shipped.getShipment().getTrackingNumber()).isEqualTo("JD0001");
    assertThat(shipped.getShipment().getShipTime()).isEqualTo(shipped.getUpdateTime());

    StatusRuntimeException cancelShipped = failure(() -> staff.cancelOrder(cancel(shipped)));
    assertThat(code(cancelShipped)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(cancelShipped).getReason()).isEqualTo("ILLEGAL_TRANSITION");
    assertThat(errorInfo(cancelShipped).getMetadataMap()).containsEntry("from", "SHIPPED");

    Order delivered =
        staff
            .deliverOrder(
                DeliverOrderRequest.newBuilder()
                    .setOrderId(order.getId())
                    .setVersion(shipped.getVersion())
                    .build())
            .getOrder();
    assertThat(delivered.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_DELIVERED);
    assertThat(delivered.getVersion()).isEqualTo(5);
    assertThat(delivered.hasDeliverTime()).isTrue();
    assertThat(get(order)).isEqualTo(delivered);
    assertThat(code(failure(() -> staff.packOrder(pack(delivered)))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);

    harness.events().await(OrderDelivered.class, e -> e.getOrderId().equals(order.getId()));
    assertThat(harness.events().ofAggregate(order.getId()))
        .extracting(Envelope::getType)
        .containsExactly(
            "lattice.orders.order_created",
            "lattice.orders.order_paid",
            "lattice.orders.order_packed",
            "lattice.orders.order_shipped",
            "lattice.orders.order_delivered");
    assertThat(harness.events().ofAggregate(order.getId()))
        .extracting(Envelope::getAggregateVersion)
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    OrderShipped shippedEvent =
        EventTap.unpack(
            harness.events().await(OrderShipped.class, e -> e.getOrderId().equals(order.getId())),
            OrderShipped.class);
    assertThat(shippedEvent.getCarrier()).isEqualTo("DHL");
    assertThat(shippedEvent.getTrackingNumber()).isEqualTo("JD0001");
    assertThat(harness.events().all(OrderPacked.class, e -> e.getOrderId().equals(order.getId())))
        .hasSize(1);
    assertThat(
            harness.sqlLong(
                "select count(*) from order_status_history where order_id = ?::uuid",
                order.getId()))
        .isEqualTo(5);
  }

  @Test
  void cancelBeforePayment_cancels_andAfterPayment_refunds() throws Exception {
    Order mine = place(alice, request(teapot, 1));
    Order cancelled =
        alice.cancelOrder(cancel(mine).toBuilder().setNote("changed my mind").build()).getOrder();
    assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST);
    assertThat(cancelled.getCancellationNote()).isEqualTo("changed my mind");
    assertThat(code(failure(() -> alice.cancelOrder(cancel(cancelled)))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);

    Order byStaff = staff.cancelOrder(cancel(place(bob, request(cup, 1)))).getOrder();
    assertThat(byStaff.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STAFF_REQUEST);

    Order paidOrder = place(alice, request(cup, 2));
    String paymentId = UUID.randomUUID().toString();
    capture(paidOrder, paymentId);
    Order paid = awaitStatus(paidOrder, OrderStatus.ORDER_STATUS_PAID);
    Order refunded = alice.cancelOrder(cancel(paid)).getOrder();
    assertThat(refunded.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_REFUNDED);
    assertThat(refunded.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST);
    OrderRefunded event =
        EventTap.unpack(
            harness.events().await(OrderRefunded.class, e -> e.getOrderId().equals(paid.getId())),
            OrderRefunded.class);
    assertThat(event.getPaymentId()).isEqualTo(paymentId);
    assertThat(event.getRefundId()).isEqualTo(refundIdOf(paid));
    assertThat(UUID.fromString(event.getRefundId()).version()).isEqualTo(7);
    assertThat(event.getAmountMinor()).isEqualTo(798);
    assertThat(event.getPreviousStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PAID);
    assertThat(event.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST);
    assertThat(harness.events().all(OrderCancelled.class, e -> e.getOrderId().equals(paid.getId())))
        .isEmpty();

    // A packed order has not shipped: its customer may still cancel it, and it is refunded.
    Order packedOrder = place(alice, request(teapot, 1));
    capture(packedOrder, UUID.randomUUID().toString());
    Order packed =
        staff.packOrder(pack(awaitStatus(packedOrder, OrderStatus.ORDER_STATUS_PAID))).getOrder();
    Order customerRefunded = alice.cancelOrder(cancel(packed)).getOrder();
    assertThat(customerRefunded.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_REFUNDED);
    assertThat(customerRefunded.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST);

    // A shipped order is cancelled or refunded by nobody.
    Order shippedOrder = place(alice, request(teapot, 1));
    capture(shippedOrder, UUID.randomUUID().toString());
    Order packedToShip =
        staff.packOrder(pack(awaitStatus(shippedOrder, OrderStatus.ORDER_STATUS_PAID))).getOrder();
    Order shipped = staff.shipOrder(ship(packedToShip)).getOrder();
    for (StatusRuntimeException refused :
        List.of(
            failure(() -> alice.cancelOrder(cancel(shipped))),
            failure(() -> staff.cancelOrder(cancel(shipped))),
            failure(
                () ->
                    keyed(staff, UUID.randomUUID().toString())
                        .refundOrder(
                            RefundOrderRequest.newBuilder()
                                .setOrderId(shipped.getId())
                                .setVersion(shipped.getVersion())
                                .setReason("late")
                                .build())))) {
      assertThat(code(refused)).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(errorInfo(refused).getReason()).isEqualTo("ILLEGAL_TRANSITION");
    }
    assertThat(
            staff
                .getOrder(GetOrderRequest.newBuilder().setOrderId(shipped.getId()).build())
                .getOrder()
                .getStatus())
        .isEqualTo(OrderStatus.ORDER_STATUS_SHIPPED);
  }

  @Test
  void refundOrder_refundsAPaidOrderOnce_perKey() throws Exception {
    Order order = place(alice, request(teapot, 1));
    RefundOrderRequest early =
        RefundOrderRequest.newBuilder()
            .setOrderId(order.getId())
            .setVersion(1)
            .setReason("goodwill")
            .build();
    StatusRuntimeException unpaid =
        failure(() -> keyed(staff, UUID.randomUUID().toString()).refundOrder(early));
    assertThat(code(unpaid)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(unpaid).getMetadataMap())
        .containsEntry("from", "CREATED")
        .containsEntry("to", "REFUNDED");
    assertThat(code(failure(() -> keyed(alice, UUID.randomUUID().toString()).refundOrder(early))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(failure(() -> staff.refundOrder(early))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);

    String paymentId = UUID.randomUUID().toString();
    capture(order, paymentId);
    Order paid = awaitStatus(order, OrderStatus.ORDER_STATUS_PAID);
    String key = UUID.randomUUID().toString();
    RefundOrderRequest refund = early.toBuilder().setVersion(paid.getVersion()).build();
    RefundOrderResponse first = keyed(staff, key).refundOrder(refund);
    assertThat(first.getOrder().getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_REFUNDED);
    assertThat(first.getOrder().getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_UNSPECIFIED);
    assertThat(first.getOrder().getCancellationNote()).isEqualTo("goodwill");
    assertThat(keyed(staff, key).refundOrder(refund)).isEqualTo(first);

    OrderRefunded event =
        EventTap.unpack(
            harness.events().await(OrderRefunded.class, e -> e.getOrderId().equals(order.getId())),
            OrderRefunded.class);
    assertThat(event.getRefundId()).isEqualTo(refundIdOf(order));
    assertThat(event.getPaymentId()).isEqualTo(paymentId);
    assertThat(event.getNote()).isEqualTo("goodwill");
    assertThat(event.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_UNSPECIFIED);
    assertThat(harness.events().all(OrderRefunded.class, e -> e.getOrderId().equals(order.getId())))
        .hasSize(1);
    StatusRuntimeException twice =
        failure(
            () ->
                keyed(staff, UUID.randomUUID().toString())
                    .refundOrder(
                        refund.toBuilder().setVersion(first.getOrder().getVersion()).build()));
    assertThat(code(twice)).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  private Envelope capture(Order order, String paymentId) throws Exception {
    return harness.publish(
        "payments",
        tenant,
        PaymentCaptured.newBuilder()
            .setPaymentId(paymentId)
            .setOrderId(order.getId())
            .setCustomerId(order.getCustomerId())
            .setAmountMinor(order.getTotalAmountMinor())
            .setCurrency(order.getCurrency())
            .setProvider("sandbox")
            .setProviderChargeId("ch_" + paymentId)
            .build());
  }

  private Envelope rejectStock(Order order) throws Exception {
    return harness.publish(
        "inventory",
        tenant,
        StockRejected.newBuilder()
            .setOrderId(order.getId())
            .setReason(StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK)
            .addShortLines(
                StockRejected.ShortLine.newBuilder()
                    .setProductId(order.getLines(0).getProductId())
                    .setRequested(order.getLines(0).getQuantity())
                    .setAvailable(0))
            .build());
  }

  private Envelope expire(Order order) throws Exception {
    return harness.publish(
        "inventory",
        tenant,
        ReservationExpired.newBuilder()
            .setReservationId(UUID.randomUUID().toString())
            .setOrderId(order.getId())
            .build());
  }

  private String refundIdOf(Order order) {
    return harness
        .sqlValue("select refund_id::text from orders where id = ?::uuid", order.getId())
        .toString();
  }

  private static PackOrderRequest pack(Order order) {
    return PackOrderRequest.newBuilder()
        .setOrderId(order.getId())
        .setVersion(order.getVersion())
        .build();
  }

  private static ShipOrderRequest ship(Order order) {
    return ShipOrderRequest.newBuilder()
        .setOrderId(order.getId())
        .setVersion(order.getVersion())
        .setCarrier("DHL")
        .setTrackingNumber("JD0001")
        .build();
  }

  private static CancelOrderRequest cancel(Order order) {
    return CancelOrderRequest.newBuilder()
        .setOrderId(order.getId())
        .setVersion(order.getVersion())
        .build();
  }
}
