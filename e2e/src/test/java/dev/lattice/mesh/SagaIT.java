package dev.lattice.mesh;

import static dev.lattice.mesh.SagaFleet.orderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.rpc.ErrorInfo;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.DeliverOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.PackOrderRequest;
import dev.lattice.orders.v1.ShipOrderRequest;
import dev.lattice.payments.v1.GetPaymentRequest;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The order saga end to end (docs/architecture.md §7): orders, inventory and payments as the mesh
 * runs them, the sandbox card processor over HTTP with signed webhooks, real PostgreSQL and NATS.
 * Each test uses its own product, so the stock figures it checks are its own.
 */
class SagaIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static SagaFleet saga;

  @BeforeAll
  static void start() throws Exception {
    saga = SagaFleet.start(postgres, nats, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (saga != null) {
      saga.close();
    }
  }

  @Test
  void happyPath_orderIsPaid_stockCommitted_oneCharge() throws Exception {
    Product product = saga.product(1999, 5);

    Order created = saga.order("tok_visa", product, 2);
    assertThat(created.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);
    assertThat(created.getTotalAmountMinor()).isEqualTo(3998);
    assertThat(created.getLines(0).getUnitPriceAmountMinor()).isEqualTo(1999);
    assertThat(created.getCustomerId()).isEqualTo(saga.customerId);

    Order paid = saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_PAID);
    assertThat(paid.getPaymentId()).isNotEmpty();
    assertThat(paid.hasPayTime()).isTrue();
    awaitStock(product, 3, 0, 2);
    Payment payment =
        saga.payments(saga.staffToken)
            .getPayment(GetPaymentRequest.newBuilder().setPaymentId(paid.getPaymentId()).build())
            .getPayment();
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    assertThat(payment.getAmountMinor()).isEqualTo(3998);
    assertThat(payment.getStatusHistoryList())
        .extracting(change -> change.getStatus())
        .startsWith(PaymentStatus.PAYMENT_STATUS_PENDING)
        .endsWith(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    assertThat(saga.charges(created.getId())).hasSize(1);
  }

  @Test
  void stockRejected_orderCancelled_nothingCharged_stockUntouched() throws Exception {
    Product product = saga.product(500, 1);

    Order created = saga.order("tok_visa", product, 2);

    Order cancelled = saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STOCK_REJECTED);
    assertThat(saga.charges(created.getId())).isEmpty();
    assertStockStays(product, 1, 0, 0);
  }

  @Test
  void paymentDeclined_orderCancelled_reservationReleased() throws Exception {
    Product product = saga.product(700, 3);

    Order created = saga.order("tok_chargeDeclined", product, 2);

    Order cancelled = saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_PAYMENT_FAILED);
    awaitStock(product, 3, 0, 0);
    Payment payment = saga.payment(created.getId());
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_FAILED);
    assertThat(payment.getFailureCode()).isNotEmpty();
  }

  @Test
  void providerTimeout_thenWebhookConfirms_orderPaid_oneCharge() throws Exception {
    Product product = saga.product(900, 2);

    Order created = saga.order("tok_timeout", product, 1);

    saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_PAID);
    awaitStock(product, 1, 0, 1);
    assertThat(saga.charges(created.getId())).hasSize(1);
    assertThat(saga.payment(created.getId()).getStatus())
        .isEqualTo(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  }

  @Test
  void cancelBeforePayment_orderCancelled_stockReleased_nothingCaptured() throws Exception {
    Product product = saga.product(1200, 4);
    Order created = saga.order("tok_noConfirm", product, 3);
    awaitStock(product, 1, 3, 0);

    Order cancelled =
        saga.orders(saga.customerToken)
            .cancelOrder(
                CancelOrderRequest.newBuilder()
                    .setOrderId(created.getId())
                    .setVersion(created.getVersion())
                    .setNote("changed my mind")
                    .build())
            .getOrder();

    assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST);
    awaitStock(product, 4, 0, 0);
    Payment payment = saga.payment(created.getId());
    assertThat(payment == null || payment.getStatus() != PaymentStatus.PAYMENT_STATUS_CAPTURED)
        .isTrue();
  }

  @Test
  void cancelAfterPayment_refunded_moneyAndStockReturned() throws Exception {
    Product product = saga.product(2500, 3);
    Order created = saga.order("tok_visa", product, 2);
    Order paid = saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_PAID);
    awaitStock(product, 1, 0, 2);

    Order refunded =
        saga.orders(saga.customerToken)
            .cancelOrder(
                CancelOrderRequest.newBuilder()
                    .setOrderId(paid.getId())
                    .setVersion(paid.getVersion())
                    .build())
            .getOrder();

    assertThat(refunded.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_REFUNDED);
    awaitStock(product, 3, 0, 0);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                saga.payment(created.getId()).getStatus() == PaymentStatus.PAYMENT_STATUS_REFUNDED);
    Payment payment = saga.payment(created.getId());
    assertThat(payment.getRefundedAmountMinor()).isEqualTo(5000);
    assertThat(payment.getRefundsList()).hasSize(1);
    assertThat(saga.charges(created.getId())).hasSize(1);
  }

  @Test
  void shipFlow_packedShippedDelivered() {
    Product product = saga.product(300, 10);
    Order paid =
        saga.awaitStatus(saga.order("tok_visa", product, 1).getId(), OrderStatus.ORDER_STATUS_PAID);

    Order packed =
        saga.orders(saga.staffToken)
            .packOrder(
                PackOrderRequest.newBuilder()
                    .setOrderId(paid.getId())
                    .setVersion(paid.getVersion())
                    .build())
            .getOrder();
    Order shipped =
        saga.orders(saga.staffToken)
            .shipOrder(
                ShipOrderRequest.newBuilder()
                    .setOrderId(paid.getId())
                    .setVersion(packed.getVersion())
                    .setCarrier("DHL")
                    .setTrackingNumber("JD0001")
                    .build())
            .getOrder();
    Order delivered =
        saga.orders(saga.staffToken)
            .deliverOrder(
                DeliverOrderRequest.newBuilder()
                    .setOrderId(paid.getId())
                    .setVersion(shipped.getVersion())
                    .build())
            .getOrder();

    assertThat(packed.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PACKED);
    assertThat(shipped.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_SHIPPED);
    assertThat(shipped.getShipment().getTrackingNumber()).isEqualTo("JD0001");
    assertThat(delivered.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_DELIVERED);
    assertThat(delivered.hasDeliverTime()).isTrue();
    assertStockStays(product, 9, 0, 1);

    // Delivered is final: a customer can no longer cancel it.
    StatusRuntimeException late =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(saga.customerToken)
                    .cancelOrder(
                        CancelOrderRequest.newBuilder()
                            .setOrderId(paid.getId())
                            .setVersion(delivered.getVersion())
                            .build()));
    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void illegalMoves_failedPrecondition_nothingChanges() {
    Product product = saga.product(300, 10);
    Order waiting = saga.order("tok_noConfirm", product, 1);

    StatusRuntimeException shipCreated =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(saga.staffToken)
                    .shipOrder(
                        ShipOrderRequest.newBuilder()
                            .setOrderId(waiting.getId())
                            .setVersion(waiting.getVersion())
                            .setCarrier("DHL")
                            .setTrackingNumber("X1")
                            .build()));
    assertThat(shipCreated.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(StatusProto.fromThrowable(shipCreated).getMessage())
        .doesNotContain("Exception", "SQL");

    Order cancelled =
        saga.orders(saga.staffToken)
            .cancelOrder(
                CancelOrderRequest.newBuilder()
                    .setOrderId(waiting.getId())
                    .setVersion(waiting.getVersion())
                    .build())
            .getOrder();
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_STAFF_REQUEST);
    StatusRuntimeException packCancelled =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(saga.staffToken)
                    .packOrder(
                        PackOrderRequest.newBuilder()
                            .setOrderId(waiting.getId())
                            .setVersion(cancelled.getVersion())
                            .build()));
    assertThat(packCancelled.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(saga.get(waiting.getId()).getVersion()).isEqualTo(cancelled.getVersion());
    assertThat(saga.get(waiting.getId()).getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CANCELLED);
  }

  @Test
  void anotherCustomersOrder_isNotFound() {
    Product product = saga.product(100, 5);
    Order mine = saga.order("tok_noConfirm", product, 1);
    String other = "other-" + UUID.randomUUID() + "@saga.test";
    saga.fleet.user(other, "customer");
    String otherToken = saga.fleet.login(other, AuthFleet.PASSWORD).getAccessToken();

    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(otherToken)
                    .getOrder(GetOrderRequest.newBuilder().setOrderId(mine.getId()).build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void anotherTenantsOrderProductAndPayment_areNotFound() {
    Product product = saga.product(100, 5);
    Order paid =
        saga.awaitStatus(saga.order("tok_visa", product, 1).getId(), OrderStatus.ORDER_STATUS_PAID);
    String otherAdmin =
        saga.fleet.tenantAdmin("acme-" + Long.toString(System.nanoTime(), 36)).getAccessToken();

    assertNotFound(
        () ->
            saga.orders(otherAdmin)
                .getOrder(GetOrderRequest.newBuilder().setOrderId(paid.getId()).build()));
    assertNotFound(
        () ->
            saga.inventory(otherAdmin)
                .getProduct(GetProductRequest.newBuilder().setProductId(product.getId()).build()));
    assertNotFound(
        () ->
            saga.payments(otherAdmin)
                .getPayment(
                    GetPaymentRequest.newBuilder().setPaymentId(paid.getPaymentId()).build()));
    // Nor can the other tenant order this tenant's product.
    StatusRuntimeException ordering =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(otherAdmin, UUID.randomUUID().toString())
                    .createOrder(orderOf("tok_visa", product, 1)));
    assertThat(ordering.getStatus().getCode())
        .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void keyReusedWithAnotherBody_alreadyExists_noSideEffect_otherTenantIndependent() {
    Product product = saga.product(100, 50);
    String key = UUID.randomUUID().toString();
    Order first =
        saga.orders(saga.customerToken, key)
            .createOrder(orderOf("tok_noConfirm", product, 1))
            .getOrder();

    StatusRuntimeException reused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                saga.orders(saga.customerToken, key)
                    .createOrder(orderOf("tok_noConfirm", product, 2)));
    assertThat(reused.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(reason(reused)).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    Order replayed =
        saga.orders(saga.customerToken, key)
            .createOrder(orderOf("tok_noConfirm", product, 1))
            .getOrder();
    assertThat(replayed).isEqualTo(first);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> saga.stock(product.getId()).getReserved() == 1);
    assertStockStays(product, 49, 1, 0);

    // Another tenant's caller with the same key gets its own order of its own product.
    String otherAdmin =
        saga.fleet.tenantAdmin("globex-" + Long.toString(System.nanoTime(), 36)).getAccessToken();
    Product theirs = saga.product(otherAdmin, 100, 5);
    Order other =
        saga.orders(otherAdmin, key).createOrder(orderOf("tok_noConfirm", theirs, 1)).getOrder();
    assertThat(other.getId()).isNotEqualTo(first.getId());
    assertThat(other.getTenantId()).isNotEqualTo(first.getTenantId());
  }

  private static String reason(StatusRuntimeException e) {
    return StatusProto.fromThrowable(e).getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(
            any -> {
              try {
                return any.unpack(ErrorInfo.class).getReason();
              } catch (Exception ex) {
                throw new IllegalStateException(ex);
              }
            })
        .findFirst()
        .orElse("");
  }

  private static void assertNotFound(Runnable call) {
    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(failure).as("expected NOT_FOUND").isNotNull();
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  private static void awaitStock(Product product, long available, long reserved, long sold) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              Stock stock = saga.stock(product.getId());
              assertThat(stock.getAvailable()).as("available").isEqualTo(available);
              assertThat(stock.getReserved()).as("reserved").isEqualTo(reserved);
              assertThat(stock.getSold()).as("sold").isEqualTo(sold);
            });
  }

  /** The stock is {@code available/reserved/sold} now and stays so for a moment. */
  private static void assertStockStays(Product product, long available, long reserved, long sold) {
    awaitStock(product, available, reserved, sold);
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Stock stock = saga.stock(product.getId());
              assertThat(stock.getAvailable() + "/" + stock.getReserved() + "/" + stock.getSold())
                  .isEqualTo(available + "/" + reserved + "/" + sold);
            });
  }
}
