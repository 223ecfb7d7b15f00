package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.JWK;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.platform.testsupport.TestModule;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.WhoAmIRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service started the way all six start ({@link ServiceRuntime}) runs every RPC, the shared
 * operations service included, behind the token keys its module supplies.
 */
class AuthRuntimeIT {

  /** A name the operations protos accept; nothing of the real audit service is involved. */
  private static final String NAME = "audit";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  private static final TestTokens tokens = TestTokens.generate();
  private static final ClosingKeys keys = new ClosingKeys(tokens.keySource());
  private static RunningService service;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    service =
        ServiceRuntime.start(
            echoModule(keys), env(), NettyServerBuilder.forAddress(new InetSocketAddress(0)));
    keys.watch(service.port());
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + service.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    service.close();
  }

  @Test
  void operationsService_withoutToken_isUnauthenticated() {
    StatusRuntimeException e = failure(() -> operations().getOutboxStatus(outboxStatus()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(AuthErrors.TOKEN_MISSING);
  }

  @Test
  void operationsService_withoutItsPermission_isPermissionDenied() {
    String jwt = tokens.token().permissions("orders.read").sign();

    StatusRuntimeException e =
        failure(
            () ->
                operations()
                    .withCallCredentials(BearerToken.of(jwt))
                    .getOutboxStatus(outboxStatus()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(Rpc.errorInfo(e).getMetadataMap()).containsEntry("permission", "operations.read");
  }

  @Test
  void operationsService_withItsPermission_answers() {
    String jwt = tokens.token().permissions("operations.read").sign();

    assertThat(
            operations()
                .withCallCredentials(BearerToken.of(jwt))
                .getOutboxStatus(outboxStatus())
                .getStatus()
                .getPendingCount())
        .isZero();
  }

  @Test
  void moduleServices_runBehindTheModulesKeys() {
    String subject = UUID.randomUUID().toString();
    EchoServiceGrpc.EchoServiceBlockingStub echo =
        EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThat(echo.slow(SlowRequest.getDefaultInstance())).isNotNull();
    assertThat(failure(() -> echo.whoAmI(WhoAmIRequest.getDefaultInstance())).getStatus().getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(
            echo.withCallCredentials(BearerToken.of(tokens.token().subject(subject).sign()))
                .whoAmI(WhoAmIRequest.getDefaultInstance())
                .getSubject())
        .isEqualTo(subject);
    assertThat(keys.closed()).isFalse();
  }

  @Test
  void drain_closesTheKeySource_afterTheServerStops() {
    ClosingKeys otherKeys = new ClosingKeys(tokens.keySource());
    RunningService other =
        ServiceRuntime.start(
            echoModule(otherKeys), env(), NettyServerBuilder.forAddress(new InetSocketAddress(0)));
    otherKeys.watch(other.port());

    other.close();

    assertThat(otherKeys.closed()).isTrue();
    assertThat(otherKeys.serverListeningAtClose()).isFalse();
  }

  private static OperationsServiceGrpc.OperationsServiceBlockingStub operations() {
    return OperationsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static GetOutboxStatusRequest outboxStatus() {
    return GetOutboxStatusRequest.newBuilder().setService(NAME).build();
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  private static Env env() {
    return Env.of(
        Map.of(
            "LATTICE_DB_URL", pg.jdbcUrl(),
            "LATTICE_DB_USER", pg.user(),
            "LATTICE_NATS_URL", nats.url(),
            "LATTICE_DRAIN_TIMEOUT", "1s"));
  }

  /** The echo service as a module whose token keys are {@code keys}. */
  private static TestModule echoModule(KeySource keys) {
    return new TestModule(NAME, keys, context -> List.of(new EchoServiceImpl(context.dsl())));
  }

  /** Test keys that record their closing, and whether the server still listened then. */
  private static final class ClosingKeys implements KeySource, AutoCloseable {

    private final KeySource delegate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean serverListeningAtClose = new AtomicBoolean();
    private volatile int port = -1;

    ClosingKeys(KeySource delegate) {
      this.delegate = delegate;
    }

    void watch(int serverPort) {
      this.port = serverPort;
    }

    @Override
    public Optional<JWK> find(String kid) {
      return delegate.find(kid);
    }

    @Override
    public void close() {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        serverListeningAtClose.set(true);
      } catch (IOException e) {
        serverListeningAtClose.set(false);
      }
      closed.set(true);
    }

    boolean closed() {
      return closed.get();
    }

    boolean serverListeningAtClose() {
      return serverListeningAtClose.get();
    }
  }
}
