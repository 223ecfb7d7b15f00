package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.SlowRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LatticeServer#markNotServing} and {@link LatticeServer#markServing} as a health client
 * sees them over a real channel: every service and the server together, the reason in the {@link
 * HealthReason} trailer, and no way back to SERVING once the drain has started.
 */
class ServerHealthIT {

  private static final String ECHO = "lattice.testing.v1.EchoService";
  private static final List<String> EVERY_NAME = List.of("", ECHO);

  private LatticeServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdown();
    }
  }

  @Test
  void markNotServing_everyServiceAndTheServer_answerNotServingWithTheReason() {
    start(Duration.ofSeconds(1));

    server.markNotServing("database unreachable");

    for (String name : EVERY_NAME) {
      Answer answer = check(name);
      assertThat(answer.status()).as(name).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(answer.reason()).as(name).contains("database unreachable");
    }
  }

  @Test
  void markServing_afterNotServing_answersServingWithoutReason() {
    start(Duration.ofSeconds(1));
    server.markNotServing("NATS disconnected");

    server.markServing();

    for (String name : EVERY_NAME) {
      Answer answer = check(name);
      assertThat(answer.status()).as(name).isEqualTo(ServingStatus.SERVING);
      assertThat(answer.reason()).as(name).isEmpty();
    }
  }

  @Test
  void markNotServing_beforeStart_startsNotServing() {
    server = echoServer(Duration.ofSeconds(1));
    server.markNotServing("database unreachable");

    server.start();
    channel = newChannel();

    assertThat(check(""))
        .isEqualTo(new Answer(ServingStatus.NOT_SERVING, Optional.of("database unreachable")));
  }

  @Test
  void unknownService_isNotFound_notAReason() {
    start(Duration.ofSeconds(1));
    server.markNotServing("database unreachable");

    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> check("lattice.unknown.v1.Nothing"));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(HealthReason.from(error.getTrailers())).isEmpty();
  }

  /**
   * A watcher opened before the drain sees NOT_SERVING when it starts and nothing after, although
   * dependencies report back in while a call keeps the drain going.
   */
  @Test
  void drain_reportsDuringIt_neverTurnHealthBackToServing() throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    server =
        echoServer(Duration.ofSeconds(10), new EchoServiceImpl(null).onSlowStarted(slowStarted));
    server.start();
    channel = newChannel();
    List<ServingStatus> seen = new CopyOnWriteArrayList<>();
    HealthGrpc.newStub(channel)
        .watch(HealthCheckRequest.newBuilder().setService("").build(), collect(seen));
    var inFlight =
        EchoServiceGrpc.newFutureStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .slow(SlowRequest.newBuilder().setSleepMs(1500).build());
    assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
    awaitLast(seen, ServingStatus.SERVING);

    CompletableFuture<Void> drain = CompletableFuture.runAsync(server::shutdown);
    awaitLast(seen, ServingStatus.NOT_SERVING);
    server.markNotServing("database unreachable");
    server.markServing();
    inFlight.get(20, TimeUnit.SECONDS);
    server.markServing();
    drain.get(20, TimeUnit.SECONDS);
    server.markServing();

    int drained = seen.indexOf(ServingStatus.NOT_SERVING);
    assertThat(seen.subList(drained, seen.size())).containsOnly(ServingStatus.NOT_SERVING);
  }

  private record Answer(ServingStatus status, Optional<String> reason) {}

  private Answer check(String service) {
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel)
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(service).build());
    return new Answer(response.getStatus(), HealthReason.from(trailers.get()));
  }

  private void start(Duration drainTimeout) {
    server = echoServer(drainTimeout).start();
    channel = newChannel();
  }

  private static LatticeServer echoServer(Duration drainTimeout) {
    return echoServer(drainTimeout, new EchoServiceImpl(null));
  }

  private static LatticeServer echoServer(Duration drainTimeout, EchoServiceImpl service) {
    return LatticeServer.netty("echo", 0)
        .addService(service)
        .drainTimeout(drainTimeout)
        .telemetry(Telemetry.noop())
        .build();
  }

  private ManagedChannel newChannel() {
    return Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
        .build();
  }

  private static StreamObserver<HealthCheckResponse> collect(List<ServingStatus> seen) {
    return new StreamObserver<>() {
      @Override
      public void onNext(HealthCheckResponse response) {
        seen.add(response.getStatus());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static void awaitLast(List<ServingStatus> seen, ServingStatus expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!seen.isEmpty() && seen.getLast() == expected) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the watcher never saw " + expected + ", only " + seen);
  }
}
