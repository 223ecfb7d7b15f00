package dev.lattice.payments;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.api.HttpBody;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.payments.v1.GetPaymentRequest;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.payments.v1.PaymentStatusChange;
import dev.lattice.payments.v1.PaymentsServiceGrpc.PaymentsServiceBlockingStub;
import dev.lattice.payments.webhooks.WebhookSignature;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The payments side of the order saga against the real service and a real sandbox provider over
 * HTTP: OrderCreated and StockReserved published onto NATS as orders and inventory would, the
 * PAYMENTS events observed on NATS, the provider's charges counted through its API. Every test
 * works in a fresh tenant with fresh order ids.
 */
@Timeout(180)
class PaymentsSagaIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static PaymentsHarness payments;
  static EventTap events;

  UUID tenant;
  PaymentsServiceBlockingStub staff;

  @BeforeAll
  static void start() throws Exception {
    events = EventTap.open(nats.url(), "payments");
    payments = PaymentsHarness.start(postgres, nats);
  }

  @AfterAll
  static void stop() throws Exception {
    payments.close();
    events.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff = payments.stub(payments.tokens().token(tenant, "staff", "payments.read"));
  }

  @Test
  void visaCard_isCapturedOnce_andTheTokenIsForgotten() throws Exception {
    UUID order = placeOrder("tok_visa", 4_990);
    reserve(order);

    PaymentCaptured captured = awaitCaptured(order);

    assertThat(captured.getAmountMinor()).isEqualTo(4_990);
    assertThat(captured.getCurrency()).isEqualTo("EUR");
    assertThat(captured.getProvider()).isEqualTo("sandbox");
    assertThat(payments.sandboxCharges(order.toString())).hasSize(1);
    assertThat(
            payments
                .sandboxCharges(order.toString())
                .get(0)
                .getAsJsonObject()
                .get("id")
                .getAsString())
        .isEqualTo(captured.getProviderChargeId());
    Payment payment = get(captured.getPaymentId());
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    assertThat(payment.getOrderId()).isEqualTo(order.toString());
    assertThat(payment.getStatusHistoryList())
        .extracting(PaymentStatusChange::getStatus)
        .containsExactly(
            PaymentStatus.PAYMENT_STATUS_PENDING, PaymentStatus.PAYMENT_STATUS_CAPTURED);
    assertThat(payment.getStatusHistory(1).getCause()).isEqualTo("charge");
    assertThat(payments.sqlLong("select count(*) from charge_requests where order_id = ?", order))
        .isZero();
  }

  @Test
  void redeliveredAndRepeatedStockReserved_chargeOnce() throws Exception {
    UUID order = placeOrder("tok_visa", 1_000);
    Envelope reserved = reserve(order);
    awaitCaptured(order);

    // The same event delivered again (a replay under another message id), and a second
    // StockReserved event for the same order.
    payments.publish(reserved, reserved.getEventId() + ":replay:1");
    Envelope again = reserve(order);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlLong(
                        "select count(*) from processed_events where consumer = 'charges-stock-reserved' and event_id = ?::uuid",
                        again.getEventId())
                    == 1);
    Thread.sleep(500);

    assertThat(payments.sqlLong("select count(*) from payments where order_id = ?", order))
        .isEqualTo(1);
    assertThat(payments.sandboxCharges(order.toString())).hasSize(1);
    assertThat(events.all(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())))
        .hasSize(1);
  }

  @Test
  void declinedCard_failsThePayment() throws Exception {
    UUID order = placeOrder("tok_chargeDeclined", 2_500);
    reserve(order);

    PaymentFailed failed =
        EventTap.unpack(
            events.await(PaymentFailed.class, f -> f.getOrderId().equals(order.toString())),
            PaymentFailed.class);

    assertThat(failed.getFailureCode()).isEqualTo("card_declined");
    assertThat(failed.getRetryable()).isFalse();
    Payment payment = get(failed.getPaymentId());
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_FAILED);
    assertThat(payment.getFailureCode()).isEqualTo("card_declined");
    assertThat(payment.getStatusHistoryList())
        .extracting(PaymentStatusChange::getStatus)
        .containsExactly(PaymentStatus.PAYMENT_STATUS_PENDING, PaymentStatus.PAYMENT_STATUS_FAILED);
    assertThat(payments.sandboxCharges(order.toString())).hasSize(1);
    assertThat(payments.sqlLong("select count(*) from charge_requests where order_id = ?", order))
        .isZero();
    assertThat(events.all(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())))
        .isEmpty();
  }

  @Test
  void insufficientFunds_failsWithItsCode() throws Exception {
    UUID order = placeOrder("tok_insufficientFunds", 2_500);
    reserve(order);

    PaymentFailed failed =
        EventTap.unpack(
            events.await(PaymentFailed.class, f -> f.getOrderId().equals(order.toString())),
            PaymentFailed.class);

    assertThat(failed.getFailureCode()).isEqualTo("insufficient_funds");
  }

  @Test
  void providerTimeout_isCapturedThroughTheWebhook_withOneCharge() throws Exception {
    UUID order = placeOrder("tok_timeout", 3_000);
    reserve(order);

    PaymentCaptured captured = awaitCaptured(order);

    Payment payment = get(captured.getPaymentId());
    assertThat(payment.getStatusHistory(payment.getStatusHistoryCount() - 1).getCause())
        .startsWith("webhook:evt_");
    assertThat(
            payments.sqlLong(
                "select count(*) from provider_webhook_events where payment_id = ?::uuid",
                captured.getPaymentId()))
        .isGreaterThanOrEqualTo(1);
    // Later attempts (while the first request was still in progress) never made a second charge.
    Thread.sleep(4_000);
    assertThat(payments.sandboxCharges(order.toString())).hasSize(1);
    assertThat(events.all(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())))
        .hasSize(1);
  }

  @Test
  void flakyProvider_isRetriedThenCaptured() throws Exception {
    UUID order = placeOrder("tok_flaky", 1_234);
    reserve(order);

    PaymentCaptured captured = awaitCaptured(order);

    assertThat(
            payments.sqlLong(
                "select attempts from payments where id = ?::uuid", captured.getPaymentId()))
        .isGreaterThanOrEqualTo(3);
    assertThat(payments.sandboxCharges(order.toString())).hasSize(1);
  }

  @Test
  void asyncCard_isCapturedByItsWebhook_andAsyncDecline_fails() throws Exception {
    UUID paid = placeOrder("tok_async", 700);
    UUID declined = placeOrder("tok_asyncDeclined", 800);
    reserve(paid);
    reserve(declined);

    awaitCaptured(paid);
    PaymentFailed failed =
        EventTap.unpack(
            events.await(PaymentFailed.class, f -> f.getOrderId().equals(declined.toString())),
            PaymentFailed.class);
    assertThat(failed.getFailureCode()).isEqualTo("card_declined");
  }

  @Test
  void webhookWithBadOldOrReplayedSignature_changesNothing() throws Exception {
    UUID order = placeOrder("tok_noConfirm", 900);
    reserve(order);
    String paymentId = awaitPaymentWithCharge(order);
    String chargeId =
        (String)
            payments.sqlValue(
                "select provider_charge_id from payments where id = ?::uuid", paymentId);
    JsonObject claim = new JsonObject();
    claim.addProperty("id", chargeId);
    claim.addProperty("object", "charge");
    claim.addProperty("status", "succeeded");
    byte[] body =
        PaymentsHarness.webhookBody("evt_forged_" + UUID.randomUUID(), "charge.succeeded", claim);
    WebhookSignature right = new WebhookSignature(PaymentsHarness.WEBHOOK_SECRET);
    WebhookSignature wrong = new WebhookSignature("not-the-secret");

    assertThat(payments.postWebhook(body, wrong.sign(body, Instant.now()))).isEqualTo(400);
    assertThat(payments.postWebhook(body, null)).isEqualTo(400);
    assertThat(payments.postWebhook(body, right.sign(body, Instant.now().minusSeconds(600))))
        .isEqualTo(400);
    assertThat(payments.postWebhook(body, right.sign(body, Instant.now().plusSeconds(600))))
        .isEqualTo(400);
    byte[] tampered = new String(body).replace("succeeded", "failed").getBytes();
    assertThat(payments.postWebhook(tampered, right.sign(body, Instant.now()))).isEqualTo(400);
    var grpcFailure =
        failure(
            () ->
                payments
                    .anonymousStub()
                    .withInterceptors(
                        MetadataUtils.newAttachHeadersInterceptor(
                            signature(wrong.sign(body, Instant.now()))))
                    .handleProviderWebhook(
                        HttpBody.newBuilder()
                            .setContentType("application/json")
                            .setData(ByteString.copyFrom(body))
                            .build()));
    assertThat(code(grpcFailure)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(errorInfo(grpcFailure).getReason()).isEqualTo("WEBHOOK_SIGNATURE_INVALID");
    assertThat(
            payments.sqlLong(
                "select count(*) from provider_webhook_events where payment_id = ?::uuid",
                paymentId))
        .isZero();

    // Correctly signed, but the provider says the charge is still pending: the body's claim
    // of success is not believed.
    assertThat(payments.postWebhook(body, right.sign(body, Instant.now()))).isEqualTo(200);
    assertThat(
            payments.sqlLong(
                "select count(*) from provider_webhook_events where payment_id = ?::uuid",
                paymentId))
        .isEqualTo(1);
    // The same event again, over gRPC this time: accepted, and recorded once.
    HttpBody answer =
        payments
            .anonymousStub()
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(
                    signature(right.sign(body, Instant.now()))))
            .handleProviderWebhook(
                HttpBody.newBuilder()
                    .setContentType("application/json")
                    .setData(ByteString.copyFrom(body))
                    .build());
    assertThat(answer.getData().toStringUtf8()).contains("\"received\"");
    assertThat(
            payments.sqlLong(
                "select count(*) from provider_webhook_events where payment_id = ?::uuid",
                paymentId))
        .isEqualTo(1);
    Payment payment = get(paymentId);
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_PENDING);
    assertThat(payment.getStatusHistoryCount()).isEqualTo(1);
    assertThat(events.all(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())))
        .isEmpty();
  }

  @Test
  void orderCancelledWhileTheChargeIsPending_laterCaptureIsRefunded() throws Exception {
    UUID order = placeOrder("tok_async", 5_000);
    reserve(order);
    awaitPaymentWithCharge(order);

    payments.publish(
        "orders",
        tenant,
        order.toString(),
        OrderCancelled.newBuilder()
            .setOrderId(order.toString())
            .setCustomerId(UUID.randomUUID().toString())
            .setReason(CancellationReason.CANCELLATION_REASON_RESERVATION_EXPIRED)
            .build());

    PaymentRefunded refunded =
        EventTap.unpack(
            events.await(PaymentRefunded.class, r -> r.getOrderId().equals(order.toString())),
            PaymentRefunded.class);
    assertThat(refunded.getAmountMinor()).isEqualTo(5_000);
    assertThat(refunded.getFullyRefunded()).isTrue();
    Payment payment = get(refunded.getPaymentId());
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    assertThat(payment.getRefundedAmountMinor()).isEqualTo(5_000);
    assertThat(payment.getStatusHistoryList())
        .extracting(PaymentStatusChange::getStatus)
        .containsExactly(
            PaymentStatus.PAYMENT_STATUS_PENDING,
            PaymentStatus.PAYMENT_STATUS_CAPTURED,
            PaymentStatus.PAYMENT_STATUS_REFUNDED);
    JsonObject charge = payments.sandboxCharges(order.toString()).get(0).getAsJsonObject();
    assertThat(charge.get("amount_refunded").getAsLong()).isEqualTo(5_000);
  }

  @Test
  void orderCancelledBeforeStockReserved_isNeverCharged() throws Exception {
    UUID order = placeOrder("tok_visa", 600);
    payments.publish(
        "orders",
        tenant,
        order.toString(),
        OrderCancelled.newBuilder()
            .setOrderId(order.toString())
            .setReason(CancellationReason.CANCELLATION_REASON_CUSTOMER_REQUEST)
            .build());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlLong("select count(*) from closed_orders where order_id = ?", order)
                    == 1);
    Envelope late = reserve(order);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlLong(
                        "select count(*) from processed_events where event_id = ?::uuid",
                        late.getEventId())
                    == 1);
    Thread.sleep(500);

    assertThat(payments.sqlLong("select count(*) from payments where order_id = ?", order))
        .isZero();
    assertThat(payments.sqlLong("select count(*) from charge_requests where order_id = ?", order))
        .isZero();
    assertThat(payments.sandboxCharges(order.toString())).isEmpty();
  }

  @Test
  void stockRejected_dropsTheChargeRequest() throws Exception {
    UUID order = placeOrder("tok_visa", 600);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlLong("select count(*) from charge_requests where order_id = ?", order)
                    == 1);

    payments.publish(
        "inventory",
        tenant,
        order.toString(),
        StockRejected.newBuilder().setOrderId(order.toString()).build());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlLong("select count(*) from charge_requests where order_id = ?", order)
                    == 0);
    assertThat(payments.sandboxCharges(order.toString())).isEmpty();
  }

  @Test
  void orderRefunded_refundsThePaymentThroughTheProvider() throws Exception {
    UUID order = placeOrder("tok_visa", 8_000);
    reserve(order);
    PaymentCaptured captured = awaitCaptured(order);

    payments.publish(
        "orders",
        tenant,
        order.toString(),
        OrderRefunded.newBuilder()
            .setOrderId(order.toString())
            .setPaymentId(captured.getPaymentId())
            .setAmountMinor(8_000)
            .setCurrency("EUR")
            .setNote("customer returned it")
            .build());

    PaymentRefunded refunded =
        EventTap.unpack(
            events.await(PaymentRefunded.class, r -> r.getOrderId().equals(order.toString())),
            PaymentRefunded.class);
    assertThat(refunded.getAmountMinor()).isEqualTo(8_000);
    assertThat(refunded.getRefundedAmountMinor()).isEqualTo(8_000);
    assertThat(refunded.getFullyRefunded()).isTrue();
    assertThat(refunded.getReason()).isEqualTo("customer returned it");
    Payment payment = get(captured.getPaymentId());
    assertThat(payment.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    assertThat(payment.getRefundsList()).hasSize(1);
    assertThat(payment.getRefunds(0).getStatus())
        .isEqualTo(dev.lattice.payments.v1.RefundStatus.REFUND_STATUS_SUCCEEDED);
    assertThat(payment.getRefunds(0).getProviderRefundId()).startsWith("re_");
    assertThat(payment.getStatusHistory(payment.getStatusHistoryCount() - 1).getCause())
        .isEqualTo("refund:" + refunded.getRefundId());
  }

  @Test
  void paymentEvents_continueTheTraceOfTheEventThatMadeTheWorkDue() throws Exception {
    UUID charged = placeOrder("tok_visa", 1_200);
    UUID confirmedByWebhook = placeOrder("tok_async", 1_300);
    String chargeTrace = newTraceId();
    String webhookTrace = newTraceId();
    reserve(charged, chargeTrace);
    reserve(confirmedByWebhook, webhookTrace);

    Envelope captured =
        events.await(PaymentCaptured.class, c -> c.getOrderId().equals(charged.toString()));
    Envelope capturedByWebhook =
        events.await(
            PaymentCaptured.class, c -> c.getOrderId().equals(confirmedByWebhook.toString()));
    String refundTrace = newTraceId();
    payments.publish(
        "orders",
        tenant,
        charged.toString(),
        OrderRefunded.newBuilder()
            .setOrderId(charged.toString())
            .setPaymentId(EventTap.unpack(captured, PaymentCaptured.class).getPaymentId())
            .setAmountMinor(1_200)
            .setCurrency("EUR")
            .build(),
        traceparent(refundTrace));
    Envelope refunded =
        events.await(PaymentRefunded.class, r -> r.getOrderId().equals(charged.toString()));

    // The charge worker, the webhook and the refund worker run outside any event; what they
    // record still belongs to the trace of the event that asked for it.
    assertThat(events.traceId(captured)).as("charged by the worker").contains(chargeTrace);
    assertThat(events.traceId(capturedByWebhook)).as("confirmed by webhook").contains(webhookTrace);
    assertThat(events.traceId(refunded)).as("refunded by the worker").contains(refundTrace);
  }

  // ---- helpers ----

  private static String newTraceId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** A sampled W3C traceparent in trace {@code traceId}, as a producer's relay sends it. */
  private static String traceparent(String traceId) {
    return "00-" + traceId + "-" + traceId.substring(0, 16) + "-01";
  }

  Envelope reserve(UUID order, String traceId) throws Exception {
    return payments.publish(
        "inventory",
        tenant,
        UUID.randomUUID().toString(),
        StockReserved.newBuilder()
            .setReservationId(UUID.randomUUID().toString())
            .setOrderId(order.toString())
            .build(),
        traceparent(traceId));
  }

  /** Publishes OrderCreated for a new order of the test's tenant; returns the order id. */
  UUID placeOrder(String cardToken, long amount) throws Exception {
    UUID order = UUID.randomUUID();
    payments.publish(
        "orders",
        tenant,
        order.toString(),
        OrderCreated.newBuilder()
            .setOrderId(order.toString())
            .setCustomerId(UUID.randomUUID().toString())
            .setCurrency("EUR")
            .setTotalAmountMinor(amount)
            .setPaymentMethodToken(cardToken)
            .build());
    return order;
  }

  Envelope reserve(UUID order) throws Exception {
    return payments.publish(
        "inventory",
        tenant,
        UUID.randomUUID().toString(),
        StockReserved.newBuilder()
            .setReservationId(UUID.randomUUID().toString())
            .setOrderId(order.toString())
            .build());
  }

  PaymentCaptured awaitCaptured(UUID order) {
    return EventTap.unpack(
        events.await(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())),
        PaymentCaptured.class);
  }

  /** Waits until the order's payment has a provider charge id; returns the payment id. */
  String awaitPaymentWithCharge(UUID order) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                payments.sqlValue(
                        "select provider_charge_id from payments where order_id = ?", order)
                    != null);
    return payments.sqlValue("select id from payments where order_id = ?", order).toString();
  }

  Payment get(String paymentId) {
    return staff
        .getPayment(GetPaymentRequest.newBuilder().setPaymentId(paymentId).build())
        .getPayment();
  }

  static Metadata signature(String value) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of("lattice-signature", Metadata.ASCII_STRING_MARSHALLER), value);
    return metadata;
  }
}
