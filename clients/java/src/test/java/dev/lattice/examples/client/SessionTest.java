package dev.lattice.examples.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionTest {

  private static final GetOrderRequest GET = GetOrderRequest.newBuilder().setOrderId("o-1").build();

  private final TestMesh mesh = TestMesh.inProcess();
  private final ManagedChannel channel = mesh.channel();

  @AfterEach
  void close() {
    mesh.close(); // and the channels it made
  }

  private Session login() {
    return Session.login(channel, "acme", "ada@example.com", TestMesh.PASSWORD);
  }

  @Test
  void attachedCalls_sendTheAccessTokenAsBearer_andTheIdempotencyKey() {
    Session session = login();
    var orders = session.attach(OrdersServiceGrpc.newBlockingStub(channel));
    IdempotencyKey key = IdempotencyKey.random();

    key.attach(orders)
        .createOrder(
            CreateOrderRequest.newBuilder()
                .addLines(CreateOrderRequest.Line.newBuilder().setProductId("p-1").setQuantity(1))
                .build());
    orders.getOrder(GET);

    TestMesh.Call create = mesh.calls("CreateOrder").getFirst();
    assertThat(create.header("authorization")).isEqualTo("Bearer access-1");
    assertThat(create.header("idempotency-key")).isEqualTo(key.value());
    TestMesh.Call get = mesh.calls("GetOrder").getFirst();
    assertThat(get.header("authorization")).isEqualTo("Bearer access-1");
    assertThat(get.header("idempotency-key")).isNull();
    assertThat(mesh.calls("Login").getFirst().header("authorization")).isNull();
  }

  @Test
  void wrongPassword_failsLoginWithItsReason() {
    assertThatThrownBy(() -> Session.login(channel, "acme", "ada@example.com", "wrong"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(
                        LatticeError.of(e).is(Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS"))
                    .isTrue());
  }

  @Test
  void refresh_spendsTheRefreshToken_andChangesTheAccessToken() {
    Session session = login();
    String first = session.accessToken();

    session.refresh();

    assertThat(session.accessToken()).isEqualTo("access-2").isNotEqualTo(first);
    assertThat(mesh.refreshTokensSpent).containsExactly("refresh-1-of-the-test-identity");
    session.refresh();
    assertThat(mesh.refreshTokensSpent).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void aTokenCloseToItsExpiry_isRefreshedBeforeTheCall() {
    mesh.tokenLifetime = Session.REFRESH_MARGIN.minusSeconds(10);
    Session session = login();
    mesh.tokenLifetime = Duration.ofMinutes(15);

    session.attach(OrdersServiceGrpc.newBlockingStub(channel)).getOrder(GET);

    assertThat(mesh.calls("GetOrder"))
        .extracting(c -> c.header("authorization"))
        .containsExactly("Bearer access-2");
    assertThat(mesh.calls("RefreshToken")).hasSize(1);
  }

  @Test
  void tokenExpired_refreshesOnce_andSendsTheCallAgain() {
    Session session = login();
    mesh.refuse =
        call ->
            "Bearer access-1".equals(call.header("authorization"))
                ? TestMesh.error(Status.Code.UNAUTHENTICATED, "TOKEN_EXPIRED", null)
                : null;

    var order = session.attach(OrdersServiceGrpc.newBlockingStub(channel)).getOrder(GET).getOrder();

    assertThat(order.getId()).isEqualTo("o-1");
    assertThat(mesh.calls("GetOrder"))
        .extracting(c -> c.header("authorization"))
        .containsExactly("Bearer access-1", "Bearer access-2");
    assertThat(mesh.calls("RefreshToken")).hasSize(1);
  }

  @Test
  void tokenExpiredAgain_failsTheCall_afterOneRefresh() {
    Session session = login();
    mesh.refuse =
        call ->
            call.method().endsWith("/GetOrder")
                ? TestMesh.error(Status.Code.UNAUTHENTICATED, "TOKEN_EXPIRED", null)
                : null;

    assertThatThrownBy(
            () -> session.attach(OrdersServiceGrpc.newBlockingStub(channel)).getOrder(GET))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(LatticeError.of(e).reason()).isEqualTo("TOKEN_EXPIRED"));
    assertThat(mesh.calls("GetOrder")).hasSize(2);
    assertThat(mesh.calls("RefreshToken")).hasSize(1);
  }

  @Test
  void tokenInvalid_isNotRefreshedNorSentAgain() {
    Session session = login();
    mesh.refuse =
        call ->
            call.method().endsWith("/GetOrder")
                ? TestMesh.error(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", null)
                : null;

    assertThatThrownBy(
            () -> session.attach(OrdersServiceGrpc.newBlockingStub(channel)).getOrder(GET))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(LatticeError.of(e).is(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID"))
                    .isTrue());
    assertThat(mesh.calls("GetOrder")).hasSize(1);
    assertThat(mesh.calls("RefreshToken")).isEmpty();
  }

  @Test
  void overPlaintext_theTokenIsRefused_unlessTheChannelIsLatticeChannelsPlaintext()
      throws Exception {
    try (TestMesh tcp = TestMesh.tcp()) {
      ManagedChannel someChannel =
          LatticeChannels.configure(
                  Grpc.newChannelBuilder(tcp.target(), InsecureChannelCredentials.create()))
              .build();
      ManagedChannel trusted = LatticeChannels.plaintext(tcp.target());
      try {
        Session session = Session.login(trusted, "acme", "ada@example.com", TestMesh.PASSWORD);

        assertThatThrownBy(
                () -> session.attach(OrdersServiceGrpc.newBlockingStub(someChannel)).getOrder(GET))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                  assertThat(e.getStatus().getDescription())
                      .contains("refusing to send a bearer token");
                });
        assertThat(tcp.calls("GetOrder")).isEmpty();

        session.attach(OrdersServiceGrpc.newBlockingStub(trusted)).getOrder(GET);
        assertThat(tcp.calls("GetOrder"))
            .extracting(c -> c.header("authorization"))
            .containsExactly("Bearer access-1");
      } finally {
        someChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        trusted.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
