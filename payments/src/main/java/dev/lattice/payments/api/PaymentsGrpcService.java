package dev.lattice.payments.api;

import com.google.api.HttpBody;
import com.google.protobuf.ByteString;
import dev.lattice.payments.ledger.PaymentQueries;
import dev.lattice.payments.ledger.PaymentRefunds;
import dev.lattice.payments.v1.GetPaymentRequest;
import dev.lattice.payments.v1.GetPaymentResponse;
import dev.lattice.payments.v1.ListPaymentsRequest;
import dev.lattice.payments.v1.ListPaymentsResponse;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import dev.lattice.payments.v1.RefundPaymentRequest;
import dev.lattice.payments.v1.RefundPaymentResponse;
import dev.lattice.payments.webhooks.ProviderWebhooks;
import dev.lattice.platform.auth.Principal;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gRPC face of the payments service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, authorization by the contract's access option, protovalidate,
 * idempotency keys), so every request here is valid by its contract and its caller holds the RPC's
 * permission. The tenant of every call comes from the caller's token; payments of other tenants are
 * NOT_FOUND. HandleProviderWebhook is public: the provider's signature (metadata {@code
 * lattice-signature}) is its authentication, and a bad one is UNAUTHENTICATED
 * WEBHOOK_SIGNATURE_INVALID as the contract names it.
 */
public final class PaymentsGrpcService extends PaymentsServiceGrpc.PaymentsServiceImplBase {

  private static final ByteString RECEIVED =
      ByteString.copyFrom("{\"received\": true}", StandardCharsets.UTF_8);

  private final PaymentQueries queries;
  private final PaymentRefunds refunds;
  private final ProviderWebhooks webhooks;

  public PaymentsGrpcService(
      PaymentQueries queries, PaymentRefunds refunds, ProviderWebhooks webhooks) {
    this.queries = queries;
    this.refunds = refunds;
    this.webhooks = webhooks;
  }

  /** This service with the interceptor that hands the webhook signature metadata to the handler. */
  public BindableService bindable() {
    ServerServiceDefinition definition =
        ServerInterceptors.intercept(this, new WebhookSignatureInterceptor());
    return () -> definition;
  }

  @Override
  public void getPayment(GetPaymentRequest request, StreamObserver<GetPaymentResponse> response) {
    answer(
        response,
        () ->
            GetPaymentResponse.newBuilder()
                .setPayment(queries.get(tenant(), UUID.fromString(request.getPaymentId())))
                .build());
  }

  @Override
  public void listPayments(
      ListPaymentsRequest request, StreamObserver<ListPaymentsResponse> response) {
    answer(response, () -> queries.list(tenant(), request));
  }

  @Override
  public void refundPayment(
      RefundPaymentRequest request, StreamObserver<RefundPaymentResponse> response) {
    answer(response, () -> refunds.refund(tenant(), request));
  }

  @Override
  public void handleProviderWebhook(HttpBody request, StreamObserver<HttpBody> response) {
    answer(
        response,
        () -> {
          webhooks.handle(request.getData().toByteArray(), WebhookSignatureInterceptor.current());
          return HttpBody.newBuilder().setContentType("application/json").setData(RECEIVED).build();
        });
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }

  /** Runs {@code work} and completes the call; exceptions reach the platform's error mapping. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    response.onNext(work.get());
    response.onCompleted();
  }
}
