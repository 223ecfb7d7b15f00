package dev.lattice.examples.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LatticeChannelsTest {

  private final TestMesh mesh = TestMesh.inProcess();
  private final ManagedChannel channel = mesh.channel();
  private final OrdersServiceGrpc.OrdersServiceBlockingStub orders =
      OrdersServiceGrpc.newBlockingStub(channel);

  @AfterEach
  void close() {
    mesh.close(); // and the channels it made
  }

  @Test
  void retryableMethods_areExactlyThoseTheContractsMarkNoSideEffectsOrIdempotent() {
    Set<String> retryable = LatticeChannels.retryableMethods(LatticeChannels.SERVICES);

    assertThat(retryable)
        .contains(
            "lattice.orders.v1.OrdersService/GetOrder",
            "lattice.orders.v1.OrdersService/ListOrders",
            "lattice.orders.v1.OrdersService/CreateOrder",
            "lattice.orders.v1.OrdersService/RefundOrder",
            "lattice.payments.v1.PaymentsService/RefundPayment",
            "lattice.inventory.v1.InventoryService/GetProduct",
            "lattice.identity.v1.IdentityService/GetJwks")
        .doesNotContain(
            "lattice.orders.v1.OrdersService/CancelOrder",
            "lattice.identity.v1.IdentityService/Login",
            "lattice.identity.v1.IdentityService/RefreshToken",
            "lattice.inventory.v1.InventoryService/CreateProduct",
            "lattice.inventory.v1.InventoryService/AdjustStock");
    int methods = 0;
    for (ServiceDescriptor service : LatticeChannels.SERVICES) {
      var proto =
          ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor()).getServiceDescriptor();
      for (MethodDescriptor method : proto.getMethods()) {
        methods++;
        IdempotencyLevel level = method.getOptions().getIdempotencyLevel();
        boolean marked =
            level == IdempotencyLevel.NO_SIDE_EFFECTS || level == IdempotencyLevel.IDEMPOTENT;
        assertThat(retryable.contains(proto.getFullName() + "/" + method.getName()))
            .as("%s (%s)", method.getFullName(), level)
            .isEqualTo(marked);
      }
    }
    assertThat(retryable.size()).isBetween(1, methods - 1);
  }

  @Test
  void retryServiceConfig_retriesOnlyUnavailable_fiveAttempts_backoffFrom100msTo2s() {
    Map<String, Object> config =
        LatticeChannels.retryServiceConfig(List.of(OrdersServiceGrpc.getServiceDescriptor()));

    List<?> methodConfig = (List<?>) config.get("methodConfig");
    assertThat(methodConfig).hasSize(1);
    Map<?, ?> entry = (Map<?, ?>) methodConfig.get(0);
    assertThat(new ArrayList<Object>((List<?>) entry.get("name")))
        .containsExactlyInAnyOrder(
            Map.of("service", "lattice.orders.v1.OrdersService", "method", "GetOrder"),
            Map.of("service", "lattice.orders.v1.OrdersService", "method", "ListOrders"),
            Map.of("service", "lattice.orders.v1.OrdersService", "method", "CreateOrder"),
            Map.of("service", "lattice.orders.v1.OrdersService", "method", "RefundOrder"));
    assertThat((Map<?, ?>) entry.get("retryPolicy"))
        .isEqualTo(
            Map.of(
                "maxAttempts",
                5.0,
                "initialBackoff",
                "0.1s",
                "maxBackoff",
                "2s",
                "backoffMultiplier",
                2.0,
                "retryableStatusCodes",
                List.of("UNAVAILABLE")));
  }

  @Test
  void services_areEveryServiceGeneratedInLatticeProto() throws IOException, URISyntaxException {
    Path stubs =
        Path.of(
            IdentityServiceGrpc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> entries;
    if (Files.isDirectory(stubs)) {
      try (Stream<Path> walk = Files.walk(stubs)) {
        entries = walk.map(p -> stubs.relativize(p).toString().replace('\\', '/')).toList();
      }
    } else {
      try (JarFile jar = new JarFile(stubs.toFile())) {
        entries = jar.stream().map(JarEntry::getName).toList();
      }
    }
    Set<String> generated = new HashSet<>();
    entries.stream()
        .filter(e -> e.startsWith("dev/lattice/") && e.endsWith("Grpc.class"))
        .forEach(
            e -> generated.add(e.substring(0, e.length() - ".class".length()).replace('/', '.')));
    Set<String> listed = new HashSet<>();
    for (ServiceDescriptor service : LatticeChannels.SERVICES) {
      var proto =
          ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor()).getServiceDescriptor();
      listed.add(proto.getFile().getOptions().getJavaPackage() + "." + proto.getName() + "Grpc");
    }
    assertThat(generated).isNotEmpty();
    assertThat(listed).isEqualTo(generated);
  }

  @Test
  void aRetryableMethod_isRetriedOnUnavailable_waitingThePushback_andSaysWhichAttempt() {
    Duration pushback = Duration.ofMillis(300);
    mesh.refuse =
        call ->
            mesh.calls("GetOrder").size() <= 2
                ? TestMesh.error(Status.Code.UNAVAILABLE, "UPSTREAM_RESTARTING", pushback)
                : null;

    long start = System.nanoTime();
    var order = orders.getOrder(GetOrderRequest.newBuilder().setOrderId("o-1").build()).getOrder();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(order.getId()).isEqualTo("o-1");
    assertThat(mesh.calls("GetOrder"))
        .extracting(c -> c.header("grpc-previous-rpc-attempts"))
        .containsExactly(null, "1", "2");
    assertThat(elapsed).isGreaterThanOrEqualTo(pushback.multipliedBy(2));
  }

  @Test
  void aRetryableMethod_givesUpAfterFiveAttempts() {
    mesh.refuse =
        call ->
            TestMesh.error(Status.Code.UNAVAILABLE, "UPSTREAM_RESTARTING", Duration.ofMillis(10));

    assertThatThrownBy(
            () -> orders.getOrder(GetOrderRequest.newBuilder().setOrderId("o-1").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(mesh.calls("GetOrder")).hasSize(LatticeChannels.MAX_ATTEMPTS);
  }

  @Test
  void anotherCode_isNotRetried() {
    mesh.refuse = call -> TestMesh.error(Status.Code.ABORTED, "VERSION_MISMATCH", null);

    assertThatThrownBy(
            () -> orders.getOrder(GetOrderRequest.newBuilder().setOrderId("o-1").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
    assertThat(mesh.calls("GetOrder")).hasSize(1);
  }

  /**
   * grpc-java's retry (gRFC A6 pushback, RetriableStream) retries a method with a retry policy
   * after any non-negative {@code grpc-retry-pushback-ms}, whatever the code. This is why Lattice
   * servers send a pushback only with UNAVAILABLE; this test pins the behaviour the helper
   * documents, so that a grpc-java upgrade that changes it is noticed.
   */
  @Test
  void grpcJava_alsoRetriesAnotherCode_whenTheServerSendsAPushback() {
    mesh.refuse =
        call ->
            mesh.calls("CreateOrder").size() == 1
                ? TestMesh.error(
                    Status.Code.ABORTED, "IDEMPOTENCY_KEY_IN_USE", Duration.ofMillis(50))
                : null;

    orders.createOrder(
        dev.lattice.orders.v1.CreateOrderRequest.newBuilder()
            .addLines(
                dev.lattice.orders.v1.CreateOrderRequest.Line.newBuilder()
                    .setProductId("p-1")
                    .setQuantity(1))
            .build());

    assertThat(mesh.calls("CreateOrder")).hasSize(2);
  }

  @Test
  void aMethodNotMarked_isNotRetried_andKeepsTheRetryDelay() {
    mesh.refuse =
        call ->
            TestMesh.error(Status.Code.UNAVAILABLE, "UPSTREAM_RESTARTING", Duration.ofMillis(200));

    assertThatThrownBy(
            () ->
                orders.cancelOrder(
                    CancelOrderRequest.newBuilder().setOrderId("o-2").setVersion(1).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              LatticeError error = LatticeError.of(e);
              assertThat(error.is(Status.Code.UNAVAILABLE, "UPSTREAM_RESTARTING")).isTrue();
              assertThat(error.retryDelay()).contains(Duration.ofMillis(200));
            });
    assertThat(mesh.calls("CancelOrder")).hasSize(1);
  }

  @Test
  void everyCall_hasTheDefaultDeadline_unlessTheCallerGivesOne() {
    orders.getOrder(GetOrderRequest.newBuilder().setOrderId("o-1").build());
    orders
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .getOrder(GetOrderRequest.newBuilder().setOrderId("o-2").build());

    List<TestMesh.Call> calls = mesh.calls("GetOrder");
    assertThat(calls.get(0).deadline()).isNotNull();
    assertThat(calls.get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS))
        .isCloseTo(LatticeChannels.DEFAULT_DEADLINE.toMillis(), within(1_000L));
    assertThat(calls.get(1).deadline().timeRemaining(TimeUnit.MILLISECONDS))
        .isCloseTo(2_000L, within(1_000L));
  }
}
