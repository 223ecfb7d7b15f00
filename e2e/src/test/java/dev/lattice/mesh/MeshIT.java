package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.ListDeadLettersRequest;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole mesh as a user runs it: {@code ./mesh up} in its own JVM with its own PostgreSQL and
 * nats-server, probed over real gRPC channels, then stopped with SIGTERM while a call is in flight.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshIT {

  private static final Map<String, Integer> PORTS =
      Map.of(
          "identity",
          9101,
          "orders",
          9102,
          "inventory",
          9103,
          "payments",
          9104,
          "notifications",
          9105,
          "audit",
          9106);
  private static final Map<String, String> SERVICES =
      Map.of(
          "identity", "lattice.identity.v1.IdentityService",
          "orders", "lattice.orders.v1.OrdersService",
          "inventory", "lattice.inventory.v1.InventoryService",
          "payments", "lattice.payments.v1.PaymentsService",
          "notifications", "lattice.notifications.v1.NotificationsService",
          "audit", "lattice.audit.v1.AuditService");

  static Path root;
  static MeshProcess mesh;

  @BeforeAll
  static void startMesh() throws Exception {
    Files.createDirectories(Path.of("target"));
    // Not createTempDirectory (0700): as root, PostgreSQL runs as the postgres user and must be
    // able
    // to enter the folder, as it can a checkout.
    root =
        Files.createDirectories(
            Path.of("target", "mesh-it-" + ProcessHandle.current().pid()).toAbsolutePath());
    mesh = MeshProcess.start(root);
    long t0 = System.nanoTime();
    boolean up = mesh.awaitUp(Duration.ofSeconds(120));
    assertThat(up).as("mesh output:%n%s", mesh.log()).isTrue();
    System.out.printf("mesh up in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  @AfterAll
  static void stopMesh() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
  }

  /** Signs in as the platform administrator whose password {@code ./mesh up} generated. */
  private static String adminToken() throws Exception {
    java.util.Properties secrets = new java.util.Properties();
    try (var in = Files.newBufferedReader(root.resolve(".lattice").resolve("secrets.properties"))) {
      secrets.load(in);
    }
    ManagedChannel ch = channel("identity");
    try {
      return dev.lattice.identity.v1.IdentityServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .login(
              dev.lattice.identity.v1.LoginRequest.newBuilder()
                  .setTenantSlug("platform")
                  .setEmail(secrets.getProperty("admin.email"))
                  .setPassword(secrets.getProperty("admin.password"))
                  .build())
          .getAccessToken();
    } finally {
      ch.shutdownNow();
    }
  }

  private static ManagedChannel channel(String service) {
    return NettyChannelBuilder.forAddress("127.0.0.1", mesh.port(PORTS.get(service)))
        .usePlaintext()
        .build();
  }

  @Test
  @Order(1)
  void everyService_healthIsServing_andReflectionListsItsContract() {
    for (String service : PORTS.keySet()) {
      ManagedChannel ch = channel(service);
      try {
        ServingStatus status =
            HealthGrpc.newBlockingStub(ch)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus();
        assertThat(status).as(service).isEqualTo(ServingStatus.SERVING);
        assertThat(listServices(ch))
            .as(service)
            .contains(
                SERVICES.get(service),
                "grpc.health.v1.Health",
                "lattice.operations.v1.OperationsService");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  @Order(2)
  void statusCommand_reportsEveryServiceServing() throws Exception {
    Process status = MeshProcess.runJar(List.of(), "status", "--root", root.toString());
    String out = new String(status.getInputStream().readAllBytes());
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(status.exitValue()).as(out).isZero();
    assertThat(out.lines().filter(l -> l.matches(".*(?<!NOT_)SERVING.*")).count())
        .as(out)
        .isEqualTo(6);
  }

  /** The README's quick start: register, read the verification mail in .lattice/mail, verify. */
  @Test
  @Order(2)
  void registration_mailLandsInTheMailCatcher_andItsTokenVerifiesTheAddress() throws Exception {
    ManagedChannel ch = channel("identity");
    try {
      var identity =
          dev.lattice.identity.v1.IdentityServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(30, TimeUnit.SECONDS);
      identity.register(
          dev.lattice.identity.v1.RegisterRequest.newBuilder()
              .setTenantSlug("platform")
              .setEmail("ada@example.com")
              .setPassword("a long passphrase 1")
              .setDisplayName("Ada")
              .build());
      Path mail = root.resolve(".lattice").resolve("mail");
      String[] token = new String[1];
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                if (!Files.isDirectory(mail)) {
                  return false;
                }
                try (var files = Files.list(mail)) {
                  for (Path file : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
                    String text = Files.readString(file);
                    var code =
                        java.util.regex.Pattern.compile("enter this code: (\\S+)").matcher(text);
                    if (text.contains("ada@example.com") && code.find()) {
                      token[0] = code.group(1);
                      return true;
                    }
                  }
                }
                return false;
              });
      var verified =
          identity.verifyEmail(
              dev.lattice.identity.v1.VerifyEmailRequest.newBuilder().setToken(token[0]).build());
      assertThat(verified.getUser().getStatus())
          .isEqualTo(dev.lattice.identity.v1.UserStatus.USER_STATUS_ACTIVE);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  @Order(3)
  void invalidRequest_isInvalidArgumentWithFieldViolations() throws Exception {
    ManagedChannel ch = channel("orders");
    try {
      var anonymous = OrdersServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
      assertThatThrownBy(
              () ->
                  anonymous.getOrder(GetOrderRequest.newBuilder().setOrderId("not-a-uuid").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      var stub =
          anonymous.withCallCredentials(dev.lattice.platform.auth.BearerToken.of(adminToken()));
      assertThatThrownBy(
              () -> stub.getOrder(GetOrderRequest.newBuilder().setOrderId("not-a-uuid").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                com.google.rpc.Status details = StatusProto.fromThrowable(e);
                assertThat(details).isNotNull();
                List<String> fields =
                    details.getDetailsList().stream()
                        .filter(any -> any.is(BadRequest.class))
                        .flatMap(any -> unpack(any).getFieldViolationsList().stream())
                        .map(BadRequest.FieldViolation::getField)
                        .toList();
                assertThat(fields).contains("order_id");
              });
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  @Order(4)
  void operationsService_answersForEveryService_andRefusesToSpeakForAnother() throws Exception {
    // Over gRPC the address already chose the service: an empty name means "you".
    String token = adminToken();
    for (String service : PORTS.keySet()) {
      ManagedChannel ch = channel(service);
      try {
        var ops =
            OperationsServiceGrpc.newBlockingStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .withCallCredentials(dev.lattice.platform.auth.BearerToken.of(token));
        var status =
            ops.getOutboxStatus(GetOutboxStatusRequest.newBuilder().setService(service).build());
        assertThat(status.getStatus().getPendingCount()).as(service).isZero();
        var deadLetters =
            ops.listDeadLetters(ListDeadLettersRequest.newBuilder().setService(service).build());
        assertThat(deadLetters.getDeadLettersList()).as(service).isEmpty();
        assertThat(
                ops.getOutboxStatus(GetOutboxStatusRequest.getDefaultInstance())
                    .getStatus()
                    .getService())
            .as(service)
            .isEqualTo(service);
        assertThat(
                ops.listDeadLetters(ListDeadLettersRequest.getDefaultInstance())
                    .getDeadLettersList())
            .as(service)
            .isEmpty();
        String other = service.equals("orders") ? "audit" : "orders";
        assertThatThrownBy(
                () ->
                    ops.getOutboxStatus(
                        GetOutboxStatusRequest.newBuilder().setService(other).build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      } finally {
        ch.shutdownNow();
      }
    }
  }

  /**
   * A client that knows only what reflection serves (as grpcurl and buf curl) decodes audit
   * records, whose payloads are events packed in Any: the registration above sent a mail, so there
   * is a NotificationSent among them.
   */
  @Test
  @Order(4)
  void reflectionClient_decodesAuditRecords_withTheirAnyPayloads() throws Exception {
    ManagedChannel ch = channel("audit");
    try {
      io.grpc.Metadata headers = new io.grpc.Metadata();
      headers.put(
          io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + adminToken());
      var client = new dev.lattice.testing.service.ReflectionClient(ch);
      String[] json = new String[1];
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                json[0] =
                    client.callJson(
                        "lattice.audit.v1.AuditService",
                        "QueryAuditLog",
                        "{\"pageSize\": 100, \"action\": \"notification_sent\"}",
                        headers);
                return json[0].contains(
                    "type.googleapis.com/lattice.notifications.v1.NotificationSent");
              });
      assertThat(json[0]).contains("\"recipientId\"", "\"templateKey\"");
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  @Order(5)
  void sigterm_finishesTheCallInFlight_thenStopsEverything() throws Exception {
    ManagedChannel ch = channel("orders");
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(ch)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    events.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    events.add(t);
                  }

                  @Override
                  public void onCompleted() {
                    events.add("completed");
                  }
                });
    ServerReflectionRequest list = ServerReflectionRequest.newBuilder().setListServices("").build();
    requests.onNext(list);
    assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOf(ServerReflectionResponse.class);

    // SIGTERM while the reflection call is still open (through the handle: Process.destroy would
    // also close our end of the mesh's output)
    mesh.process.toHandle().destroy();
    Thread.sleep(1500); // the mesh is draining now: new connections are refused, this call goes on

    ManagedChannel late = channel("orders");
    try {
      assertThatThrownBy(
              () ->
                  HealthGrpc.newBlockingStub(late)
                      .withDeadlineAfter(3, TimeUnit.SECONDS)
                      .check(HealthCheckRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e ->
                  assertThat(e.getStatus().getCode())
                      .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
    } finally {
      late.shutdownNow();
    }

    requests.onNext(list);
    assertThat(events.poll(10, TimeUnit.SECONDS))
        .as("the in-flight call still answers")
        .isInstanceOf(ServerReflectionResponse.class);
    assertThat(mesh.process.isAlive()).as("the mesh waits for the in-flight call").isTrue();
    requests.onCompleted();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");

    assertThat(mesh.waitForExit(Duration.ofSeconds(90))).as(mesh.log()).isTrue();
    assertThat(mesh.log()).contains("mesh: stopped.");
    assertThat(Files.exists(MeshState.file(root))).isFalse();
    ch.shutdownNow();
  }

  private static List<String> listServices(ManagedChannel ch) {
    BlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> req =
        ServerReflectionGrpc.newStub(ch)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    try {
      ServerReflectionResponse r = responses.poll(5, TimeUnit.SECONDS);
      req.onCompleted();
      assertThat(r).isNotNull();
      return r.getListServicesResponse().getServiceList().stream()
          .map(s -> s.getName())
          .collect(Collectors.toList());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static BadRequest unpack(com.google.protobuf.Any any) {
    try {
      return any.unpack(BadRequest.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
