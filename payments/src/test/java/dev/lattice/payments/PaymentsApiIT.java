package dev.lattice.payments;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.payments.v1.GetPaymentRequest;
import dev.lattice.payments.v1.ListPaymentsRequest;
import dev.lattice.payments.v1.ListPaymentsResponse;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.payments.v1.PaymentsServiceGrpc.PaymentsServiceBlockingStub;
import dev.lattice.payments.v1.RefundPaymentRequest;
import dev.lattice.payments.v1.RefundPaymentResponse;
import dev.lattice.payments.v1.RefundStatus;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GetPayment, ListPayments and RefundPayment against the real service: tenancy, permissions, paging
 * and filters, refunds with idempotency keys, versions and amount checks. Payments are made through
 * the saga's events and the real sandbox provider. Every test works in a fresh tenant.
 */
@Timeout(180)
class PaymentsApiIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static PaymentsHarness payments;
  static EventTap events;

  UUID tenant;
  PaymentsServiceBlockingStub staff;
  PaymentsServiceBlockingStub admin;

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
    admin =
        payments.stub(payments.tokens().token(tenant, "admin", "payments.read", "payments.refund"));
  }

  @Test
  void refundPayment_isIdempotent_andChecksVersionAndAmount() throws Exception {
    Payment captured = capturedPayment("tok_visa", 1_000);
    String key = UUID.randomUUID().toString();
    RefundPaymentRequest partial =
        RefundPaymentRequest.newBuilder()
            .setPaymentId(captured.getId())
            .setVersion(captured.getVersion())
            .setAmountMinor(300)
            .setReason("damaged box")
            .build();

    RefundPaymentResponse first = withKey(admin, key).refundPayment(partial);
    RefundPaymentResponse replay = withKey(admin, key).refundPayment(partial);

    assertThat(first.getRefund().getStatus()).isEqualTo(RefundStatus.REFUND_STATUS_PENDING);
    assertThat(first.getRefund().getAmountMinor()).isEqualTo(300);
    assertThat(replay).isEqualTo(first);
    PaymentRefunded refunded =
        EventTap.unpack(
            events.await(
                PaymentRefunded.class, r -> r.getRefundId().equals(first.getRefund().getId())),
            PaymentRefunded.class);
    assertThat(refunded.getRefundedAmountMinor()).isEqualTo(300);
    assertThat(refunded.getFullyRefunded()).isFalse();
    assertThat(events.all(PaymentRefunded.class, r -> r.getPaymentId().equals(captured.getId())))
        .hasSize(1);

    Payment after = get(staff, captured.getId());
    assertThat(after.getStatus()).isEqualTo(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    assertThat(after.getRefundedAmountMinor()).isEqualTo(300);
    assertThat(after.getRefundsList()).hasSize(1);
    assertThat(after.getRefunds(0).getStatus()).isEqualTo(RefundStatus.REFUND_STATUS_SUCCEEDED);
    assertThat(
            payments
                .sandbox()
                .chargesWithKey(captured.getOrderId())
                .get(0)
                .get("amount_refunded")
                .getAsLong())
        .isEqualTo(300);

    // The same key with another request is refused, a stale version too.
    var reused =
        failure(
            () ->
                withKey(admin, key).refundPayment(partial.toBuilder().setAmountMinor(301).build()));
    assertThat(code(reused)).isEqualTo(Status.Code.ALREADY_EXISTS);
    var stale = failure(() -> withKey(admin, UUID.randomUUID().toString()).refundPayment(partial));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    assertThat(errorInfo(stale).getReason()).isEqualTo("VERSION_MISMATCH");

    var tooMuch =
        failure(
            () ->
                withKey(admin, UUID.randomUUID().toString())
                    .refundPayment(
                        partial.toBuilder()
                            .setVersion(after.getVersion())
                            .setAmountMinor(701)
                            .build()));
    assertThat(code(tooMuch)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(tooMuch).getReason()).isEqualTo("REFUND_EXCEEDS_CAPTURED");
    assertThat(errorInfo(tooMuch).getMetadataMap()).containsEntry("refundable_amount_minor", "700");

    // The rest, with the amount left out.
    RefundPaymentResponse rest =
        withKey(admin, UUID.randomUUID().toString())
            .refundPayment(
                partial.toBuilder().setVersion(after.getVersion()).clearAmountMinor().build());
    assertThat(rest.getRefund().getAmountMinor()).isEqualTo(700);
    events.await(
        PaymentRefunded.class,
        r -> r.getRefundId().equals(rest.getRefund().getId()) && r.getFullyRefunded());
    assertThat(get(staff, captured.getId()).getStatus())
        .isEqualTo(PaymentStatus.PAYMENT_STATUS_REFUNDED);
  }

  @Test
  void refundPayment_ofAFailedPayment_isAnIllegalTransition() throws Exception {
    UUID order = order("tok_chargeDeclined", 500);
    PaymentFailed failed =
        EventTap.unpack(
            events.await(PaymentFailed.class, f -> f.getOrderId().equals(order.toString())),
            PaymentFailed.class);
    Payment payment = get(staff, failed.getPaymentId());

    var refused =
        failure(
            () ->
                withKey(admin, UUID.randomUUID().toString())
                    .refundPayment(
                        RefundPaymentRequest.newBuilder()
                            .setPaymentId(payment.getId())
                            .setVersion(payment.getVersion())
                            .setReason("no")
                            .build()));

    assertThat(code(refused)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(refused).getReason()).isEqualTo("ILLEGAL_TRANSITION");
  }

  @Test
  void anotherTenantsPayment_isNotFound() throws Exception {
    Payment payment = capturedPayment("tok_visa", 100);
    PaymentsServiceBlockingStub stranger =
        payments.stub(
            payments
                .tokens()
                .token(UUID.randomUUID(), "admin", "payments.read", "payments.refund"));

    var get = failure(() -> get(stranger, payment.getId()));
    assertThat(code(get)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(get).getReason()).isEqualTo("PAYMENT_NOT_FOUND");
    var refund =
        failure(
            () ->
                withKey(stranger, UUID.randomUUID().toString())
                    .refundPayment(
                        RefundPaymentRequest.newBuilder()
                            .setPaymentId(payment.getId())
                            .setVersion(payment.getVersion())
                            .setReason("mine now")
                            .build()));
    assertThat(code(refund)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(stranger.listPayments(ListPaymentsRequest.getDefaultInstance()).getPaymentsList())
        .isEmpty();
    var unknown = failure(() -> get(staff, UUID.randomUUID().toString()));
    assertThat(code(unknown)).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void permissions_areChecked() throws Exception {
    Payment payment = capturedPayment("tok_visa", 100);
    PaymentsServiceBlockingStub customer =
        payments.stub(payments.tokens().token(tenant, "customer", "orders.read"));

    assertThat(code(failure(() -> get(customer, payment.getId()))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    var staffRefund =
        failure(
            () ->
                withKey(staff, UUID.randomUUID().toString())
                    .refundPayment(
                        RefundPaymentRequest.newBuilder()
                            .setPaymentId(payment.getId())
                            .setVersion(payment.getVersion())
                            .setReason("x")
                            .build()));
    assertThat(code(staffRefund)).isEqualTo(Status.Code.PERMISSION_DENIED);
    var noKey =
        failure(
            () ->
                admin.refundPayment(
                    RefundPaymentRequest.newBuilder()
                        .setPaymentId(payment.getId())
                        .setVersion(payment.getVersion())
                        .setReason("x")
                        .build()));
    assertThat(code(noKey)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void listPayments_pagesNewestFirst_andFilters() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(capturedPayment("tok_visa", 100 + i).getId());
    }
    UUID declinedOrder = order("tok_chargeDeclined", 50);
    events.await(PaymentFailed.class, f -> f.getOrderId().equals(declinedOrder.toString()));

    Set<String> seen = new HashSet<>();
    List<Payment> all = new ArrayList<>();
    String token = "";
    do {
      ListPaymentsResponse page =
          staff.listPayments(
              ListPaymentsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      assertThat(page.getPaymentsCount()).isLessThanOrEqualTo(2);
      page.getPaymentsList().forEach(p -> assertThat(seen.add(p.getId())).isTrue());
      all.addAll(page.getPaymentsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(all).hasSize(6);
    for (int i = 1; i < all.size(); i++) {
      assertThat(
              com.google.protobuf.util.Timestamps.compare(
                  all.get(i - 1).getCreateTime(), all.get(i).getCreateTime()))
          .isGreaterThanOrEqualTo(0);
    }

    ListPaymentsResponse captured =
        staff.listPayments(
            ListPaymentsRequest.newBuilder()
                .setStatus(PaymentStatus.PAYMENT_STATUS_CAPTURED)
                .setPageSize(100)
                .build());
    assertThat(captured.getPaymentsList())
        .extracting(Payment::getId)
        .containsExactlyInAnyOrderElementsOf(ids);
    ListPaymentsResponse byOrder =
        staff.listPayments(
            ListPaymentsRequest.newBuilder().setOrderId(declinedOrder.toString()).build());
    assertThat(byOrder.getPaymentsList())
        .singleElement()
        .extracting(Payment::getStatus)
        .isEqualTo(PaymentStatus.PAYMENT_STATUS_FAILED);

    ListPaymentsResponse first =
        staff.listPayments(ListPaymentsRequest.newBuilder().setPageSize(2).build());
    var changedFilter =
        failure(
            () ->
                staff.listPayments(
                    ListPaymentsRequest.newBuilder()
                        .setPageSize(2)
                        .setStatus(PaymentStatus.PAYMENT_STATUS_FAILED)
                        .setPageToken(first.getNextPageToken())
                        .build()));
    assertThat(code(changedFilter)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(changedFilter).getReason()).isEqualTo("PAGE_TOKEN_INVALID");
  }

  // ---- helpers ----

  UUID order(String cardToken, long amount) throws Exception {
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
    payments.publish(
        "inventory",
        tenant,
        UUID.randomUUID().toString(),
        StockReserved.newBuilder()
            .setReservationId(UUID.randomUUID().toString())
            .setOrderId(order.toString())
            .build());
    return order;
  }

  Payment capturedPayment(String cardToken, long amount) throws Exception {
    UUID order = order(cardToken, amount);
    PaymentCaptured captured =
        EventTap.unpack(
            events.await(PaymentCaptured.class, c -> c.getOrderId().equals(order.toString())),
            PaymentCaptured.class);
    return get(staff, captured.getPaymentId());
  }

  static Payment get(PaymentsServiceBlockingStub stub, String paymentId) {
    return stub.getPayment(GetPaymentRequest.newBuilder().setPaymentId(paymentId).build())
        .getPayment();
  }

  static PaymentsServiceBlockingStub withKey(PaymentsServiceBlockingStub stub, String key) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
  }
}
