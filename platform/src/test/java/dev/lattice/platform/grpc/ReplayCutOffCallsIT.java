package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.FlakyRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A unary call whose answer is cut off with {@code UNAVAILABLE} after its headers arrived, which
 * grpc-java's retry never retries (the call is committed), is replayed once when its method is
 * idempotent. The server here sends headers before every {@code UNAVAILABLE} it answers, as a
 * replica killed between its answer's writes leaves a client.
 *
 * <p>So is one whose connection grpc-netty found closed while writing the call's frames ({@code
 * UNKNOWN "channel closed"}, caused by a {@link ClosedChannelException}): {@link LoseCalls}, the
 * channel's innermost interceptor, ends the first calls that way without sending them, as a
 * connection reset by a replica killed at that instant does ({@link ReplicaBalancingIT} meets it
 * for real, about once in a few runs).
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

  @Test
  void idempotentCall_whoseConnectionWasFoundClosed_isReplayed() {
    LoseCalls lose = new LoseCalls(1, connectionLost());
    channel = Channels.builder(lossy(lose), Telemetry.noop()).idempotent(FLAKY).build();

    int attempts = stub().flaky(flaky(UUID.randomUUID().toString(), 0)).getAttempts();

    assertThat(attempts).as("the server saw the replay only").isEqualTo(1);
    assertThat(lose.calls).hasValue(2);
  }

  @Test
  void idempotentCall_whoseConnectionWasFoundClosedTwice_failsAfterOneReplay() {
    LoseCalls lose = new LoseCalls(2, connectionLost());
    channel = Channels.builder(lossy(lose), Telemetry.noop()).idempotent(FLAKY).build();

    assertThat(failureOfOneCall()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(lose.calls).hasValue(2);
  }

  @Test
  void unknownWithoutALostConnection_isNotReplayed() {
    // What a server's unhandled error looks like to its client: UNKNOWN, no local cause.
    LoseCalls lose = new LoseCalls(1, Status.UNKNOWN.withDescription("channel closed"));
    channel = Channels.builder(lossy(lose), Telemetry.noop()).idempotent(FLAKY).build();

    assertThat(failureOfOneCall()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(lose.calls).hasValue(1);
  }

  @Test
  void methodNotDeclaredIdempotent_whoseConnectionWasFoundClosed_isNotReplayed() {
    LoseCalls lose = new LoseCalls(1, connectionLost());
    channel = Channels.builder(lossy(lose), Telemetry.noop()).build();

    assertThat(failureOfOneCall()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(lose.calls).hasValue(1);
  }

  /** The code one Flaky call on {@link #channel} fails with. */
  private Status.Code failureOfOneCall() {
    return catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().flaky(flaky(UUID.randomUUID().toString(), 0)))
        .getStatus()
        .getCode();
  }

  /**
   * grpc-netty's status for a call whose connection it found closed (Utils.statusFromThrowable).
   */
  private static Status connectionLost() {
    return Status.UNKNOWN.withDescription("channel closed").withCause(new ClosedChannelException());
  }

  private static ManagedChannelBuilder<?> lossy(LoseCalls lose) {
    // Interceptors given to the builder first run last, nearest the transport.
    return Grpc.newChannelBuilder(target(), InsecureChannelCredentials.create()).intercept(lose);
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

  /**
   * Ends the channel's first {@code failures} calls with {@code status} once they are half-closed,
   * on the call's executor, without sending them (as grpc-netty ends a call whose frames meet a
   * closed connection); counts every call.
   */
  private static final class LoseCalls implements ClientInterceptor {
    final AtomicInteger calls = new AtomicInteger();
    private final int failures;
    private final Status status;

    LoseCalls(int failures, Status status) {
      this.failures = failures;
      this.status = status;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      if (calls.incrementAndGet() > failures) {
        return next.newCall(method, options);
      }
      Executor executor = options.getExecutor() == null ? Runnable::run : options.getExecutor();
      return new ClientCall<>() {
        private Listener<R> listener;

        @Override
        public void start(Listener<R> responseListener, Metadata headers) {
          listener = responseListener;
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void halfClose() {
          executor.execute(() -> listener.onClose(status, new Metadata()));
        }

        @Override
        public void sendMessage(Q message) {}
      };
    }
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
