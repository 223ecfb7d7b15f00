package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.GetProductResponse;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.GetOutboxStatusResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** gRPC-Web (binary and text) and plain gRPC through the edge's one port. */
@Timeout(180)
class GrpcWebIT {

  private static final String GET_PRODUCT = "/lattice.inventory.v1.InventoryService/GetProduct";
  private static final String OUTBOX = "/lattice.operations.v1.OperationsService/GetOutboxStatus";

  private static EdgeHarness harness;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    harness = new EdgeHarness();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", harness.edge.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    harness.close();
  }

  private static String createProduct() {
    return InventoryServiceGrpc.newBlockingStub(channel)
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku("W-" + System.nanoTime())
                .setName("Web")
                .setCurrency("EUR")
                .build())
        .getProduct()
        .getId();
  }

  private static byte[] getProduct(String id) {
    return GrpcWebFrames.frame(
        GetProductRequest.newBuilder().setProductId(id).build().toByteArray());
  }

  @Test
  void grpcWebBinary_roundTrip() throws InvalidProtocolBufferException {
    String id = createProduct();

    Http.Response answer =
        harness.http.sendBytes(
            GET_PRODUCT, "application/grpc-web+proto", getProduct(id), "x-grpc-web", "1");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("content-type")).hasValue("application/grpc-web+proto");
    GrpcWebFrames.Decoded decoded = GrpcWebFrames.decode(answer.bytes());
    assertThat(decoded.trailers()).containsEntry("grpc-status", "0");
    Product product = GetProductResponse.parseFrom(decoded.messages().get(0)).getProduct();
    assertThat(product.getId()).isEqualTo(id);
  }

  @Test
  void grpcWebText_roundTrip() throws InvalidProtocolBufferException {
    String id = createProduct();

    Http.Response answer =
        harness.http.sendBytes(
            GET_PRODUCT,
            "application/grpc-web-text",
            Base64.getEncoder().encode(getProduct(id)),
            "x-grpc-web",
            "1");

    assertThat(answer.status()).isEqualTo(200);
    GrpcWebFrames.Decoded decoded = GrpcWebFrames.decodeText(answer.body());
    assertThat(decoded.trailers()).containsEntry("grpc-status", "0");
    assertThat(GetProductResponse.parseFrom(decoded.messages().get(0)).getProduct().getId())
        .isEqualTo(id);
  }

  @Test
  void grpcWebError_carriesStatusAndDetails() throws InvalidProtocolBufferException {
    Http.Response answer =
        harness.http.sendBytes(
            GET_PRODUCT, "application/grpc-web+proto", getProduct("fail-NOT_FOUND"));

    assertThat(answer.status()).isEqualTo(200);
    Map<String, String> trailers = GrpcWebFrames.decode(answer.bytes()).trailers();
    String status = answer.header("grpc-status").orElse(trailers.get("grpc-status"));
    String details =
        answer.header("grpc-status-details-bin").orElse(trailers.get("grpc-status-details-bin"));
    assertThat(status).isEqualTo("5");
    com.google.rpc.Status rich =
        com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(details));
    assertThat(rich.getDetails(0).unpack(ErrorInfo.class).getReason()).isEqualTo("TEST_NOT_FOUND");
  }

  @Test
  void grpcWeb_shorterGrpcTimeoutWins_andDefaultDeadlineReachesUpstream() {
    String id = createProduct();

    harness.http.sendBytes(
        GET_PRODUCT, "application/grpc-web+proto", getProduct(id), "grpc-timeout", "2S");
    long shortened =
        harness.inventory.last("GetProduct").deadline().timeRemaining(TimeUnit.MILLISECONDS);
    assertThat(shortened).isBetween(1L, 2_000L);

    harness.http.sendBytes(
        GET_PRODUCT, "application/grpc-web+proto", getProduct(id), "grpc-timeout", "1H");
    long capped =
        harness.inventory.last("GetProduct").deadline().timeRemaining(TimeUnit.MILLISECONDS);
    assertThat(capped).isBetween(10_000L, 15_000L);
  }

  @Test
  void plainGrpc_passesMessagesMetadataAndRichErrors() {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), "g-1");
    var stub =
        InventoryServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    String id =
        stub.createProduct(CreateProductRequest.newBuilder().setSku("G-1").setName("G").build())
            .getProduct()
            .getId();
    assertThat(harness.inventory.last("CreateProduct").header("idempotency-key")).isEqualTo("g-1");

    assertThat(
            stub.getProduct(GetProductRequest.newBuilder().setProductId(id).build())
                .getProduct()
                .getSku())
        .isEqualTo("G-1");

    assertThatThrownBy(
            () ->
                stub.getProduct(
                    GetProductRequest.newBuilder().setProductId("fail-ABORTED").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.ABORTED);
              assertThat(
                      e.getTrailers()
                          .get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER)))
                  .isEqualTo("3");
              com.google.rpc.Status rich = StatusProto.fromThrowable(e);
              assertThat(rich.getDetailsCount()).isEqualTo(2);
            });
  }

  @Test
  void grpcWebOperations_areRoutedByTheLatticeServiceHeader()
      throws InvalidProtocolBufferException {
    byte[] ordersRequest =
        GrpcWebFrames.frame(
            GetOutboxStatusRequest.newBuilder().setService("orders").build().toByteArray());

    Http.Response answer =
        harness.http.sendBytes(
            OUTBOX, "application/grpc-web+proto", ordersRequest, "lattice-service", "orders");

    GrpcWebFrames.Decoded decoded = GrpcWebFrames.decode(answer.bytes());
    assertThat(decoded.trailers()).containsEntry("grpc-status", "0");
    assertThat(
            GetOutboxStatusResponse.parseFrom(decoded.messages().get(0)).getStatus().getService())
        .isEqualTo("orders");
  }

  @Test
  void grpcWebOperations_headerWinsOverTheBody_andTheServiceChecksTheBody() {
    byte[] inventoryRequest =
        GrpcWebFrames.frame(
            GetOutboxStatusRequest.newBuilder().setService("inventory").build().toByteArray());

    Http.Response answer =
        harness.http.sendBytes(
            OUTBOX, "application/grpc-web+proto", inventoryRequest, "lattice-service", "orders");

    // Routed to orders by the header, as Envoy routes it; orders refuses a request for inventory.
    Map<String, String> trailers = GrpcWebFrames.decode(answer.bytes()).trailers();
    assertThat(answer.header("grpc-status").orElse(trailers.get("grpc-status"))).isEqualTo("3");
    assertThat(harness.orders.last("GetOutboxStatus")).isNotNull();
  }

  @Test
  void grpcWebOperations_unknownService_isNotFound() {
    byte[] request =
        GrpcWebFrames.frame(
            GetOutboxStatusRequest.newBuilder().setService("nowhere").build().toByteArray());

    Http.Response answer =
        harness.http.sendBytes(
            OUTBOX, "application/grpc-web+proto", request, "lattice-service", "nowhere");

    Map<String, String> trailers = GrpcWebFrames.decode(answer.bytes()).trailers();
    assertThat(answer.header("grpc-status").orElse(trailers.get("grpc-status"))).isEqualTo("5");
  }

  @Test
  void grpcUnknownMethod_isUnimplemented() {
    Http.Response answer =
        harness.http.sendBytes(
            "/lattice.inventory.v1.InventoryService/NoSuchMethod",
            "application/grpc-web+proto",
            GrpcWebFrames.frame(new byte[0]));

    Map<String, String> trailers = GrpcWebFrames.decode(answer.bytes()).trailers();
    assertThat(answer.header("grpc-status").orElse(trailers.get("grpc-status"))).isEqualTo("12");
  }
}
