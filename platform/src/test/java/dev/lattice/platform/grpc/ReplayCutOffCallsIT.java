package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.FlakyRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A unary call whose answer is cut off with {@code UNAVAILABLE} after its headers arrived, which
 * grpc-java's retry never retries (the call is committed), is replayed once when its method is
 * idempotent. The server here sends headers before every {@code UNAVAILABLE} it answers, as a
 * replica killed between its answer's writes leaves a client.
 */
class ReplayCutOffCallsIT {

  private static LatticeServer server;
  private ManagedChannel channel;

  @BeforeAll
  static void start() {
    server =
        LatticeServer.netty("echo", 0)
            .addService(new EchoServiceImpl(null))
            .interceptor(new HeadersBeforeUnavailable())
            .telemetry(Telemetry.noop())
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void idempotentCall_cutOffAfterHeaders_isReplayed_andTheCallerSeesOnlyTheLastAnswer() {
    channel = Channels.builder(target(), Telemetry.noop()).idempotent(FLAKY).build();

    int attempts = stub().flaky(flaky(UUID.randomUUID().toString(), 1)).getAttempts();

    assertThat(attempts).isEqualTo(2);
  }

  @Test
  void idempotentCall_cutOffAfterHeadersTwice_failsUnavailable_afterOneReplay() {
    channel = Channels.builder(target(), Telemetry.noop()).idempotent(FLAKY).build();
    String key = UUID.randomUUID().toString();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> stub().flaky(flaky(key, 2)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // The server counted the first call and its one replay; this call is its third.
    assertThat(stub().flaky(flaky(key, 0)).getAttempts()).isEqualTo(3);
  }

  @Test
  void methodNotDeclaredIdempotent_cutOffAfterHeaders_isNotReplayed() {
    channel = Channels.forTarget(target(), Telemetry.noop());
    String key = UUID.randomUUID().toString();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> stub().flaky(flaky(key, 1)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(stub().flaky(flaky(key, 0)).getAttempts()).isEqualTo(2);
  }

  private static final String FLAKY = "lattice.testing.v1.EchoService/Flaky";

  private static FlakyRequest flaky(String key, int failures) {
    return FlakyRequest.newBuilder().setKey(key).setFailures(failures).build();
  }

  private EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel);
  }

  private static String target() {
    return "127.0.0.1:" + server.port();
  }

  /** Sends response headers before an {@code UNAVAILABLE} that would otherwise go without them. */
  private static final class HeadersBeforeUnavailable implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean headersSent;

            @Override
            public void sendHeaders(Metadata responseHeaders) {
              headersSent = true;
              super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
              if (!headersSent && status.getCode() == Status.Code.UNAVAILABLE) {
                super.sendHeaders(new Metadata());
              }
              super.close(status, trailers);
            }
          },
          headers);
    }
  }
}
