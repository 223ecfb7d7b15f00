package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.SlowResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LatticeServerIT {

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
  void health_reportsServingForServerAndEachService() {
    start(new EchoServiceImpl(null), Duration.ofSeconds(5));
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);

    assertThat(health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService("lattice.testing.v1.EchoService")
                        .build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflection_listsTheApplicationService() throws Exception {
    start(new EchoServiceImpl(null), Duration.ofSeconds(5));
    CompletableFuture<List<String>> services = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    services.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    services.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    assertThat(services.get(5, TimeUnit.SECONDS))
        .contains("lattice.testing.v1.EchoService", "grpc.health.v1.Health");
  }

  @Test
  void shutdown_letsInFlightCallFinish_rejectsNewCalls_thenRunsDrainHooksInReverse()
      throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    EchoServiceImpl service = new EchoServiceImpl(null).onSlowStarted(slowStarted);
    start(service, Duration.ofSeconds(10));
    List<String> hooks = new CopyOnWriteArrayList<>();
    AtomicBoolean inFlightDoneBeforeHooks = new AtomicBoolean();
    EchoServiceGrpc.EchoServiceFutureStub async =
        EchoServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    var inFlight = async.slow(SlowRequest.newBuilder().setSleepMs(2000).build());
    server.onDrain("first", () -> hooks.add("first"));
    server.onDrain(
        "second",
        () -> {
          inFlightDoneBeforeHooks.set(service.slowCompleted() == 1);
          hooks.add("second");
        });
    assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown);
    awaitNotServing();
    StatusRuntimeException rejected = callSlowOnNewChannel(100);
    StatusRuntimeException rejectedOnOpenChannel =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                EchoServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .slow(SlowRequest.newBuilder().setSleepMs(100).build()));

    assertThat(rejected.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(rejectedOnOpenChannel.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    SlowResponse response = inFlight.get(20, TimeUnit.SECONDS);
    assertThat(response.getSleptMs()).isGreaterThanOrEqualTo(2000);
    shutdown.get(20, TimeUnit.SECONDS);
    assertThat(hooks).containsExactly("second", "first");
    assertThat(inFlightDoneBeforeHooks).isTrue();
  }

  @Test
  void shutdown_callOutlivingDrainTimeout_isCancelledAndShutdownReturns() throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    start(new EchoServiceImpl(null).onSlowStarted(slowStarted), Duration.ofMillis(300));
    var inFlight =
        EchoServiceGrpc.newFutureStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .slow(SlowRequest.newBuilder().setSleepMs(20_000).build());
    assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    server.shutdown();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMillis).isLessThan(5_000);
    assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getCode())
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED));
  }

  @Test
  void shutdown_isIdempotent() {
    start(new EchoServiceImpl(null), Duration.ofSeconds(1));
    List<String> hooks = new CopyOnWriteArrayList<>();
    server.onDrain("once", () -> hooks.add("once"));

    server.shutdown();
    server.shutdown();

    assertThat(hooks).containsExactly("once");
  }

  private void start(EchoServiceImpl service, Duration drainTimeout) {
    server =
        LatticeServer.netty("echo", 0)
            .addService(service)
            .drainTimeout(drainTimeout)
            .telemetry(Telemetry.noop())
            .build()
            .start();
    channel = newChannel();
  }

  private ManagedChannel newChannel() {
    return Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
        .build();
  }

  private void awaitNotServing() throws InterruptedException {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        ServingStatus status =
            health
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus();
        if (status == ServingStatus.NOT_SERVING) {
          return;
        }
      } catch (StatusRuntimeException e) {
        return; // the server no longer takes calls at all: it is draining
      }
      Thread.sleep(10);
    }
    throw new AssertionError("server never left SERVING");
  }

  private StatusRuntimeException callSlowOnNewChannel(long sleepMs) throws InterruptedException {
    ManagedChannel fresh = newChannel();
    try {
      EchoServiceGrpc.newBlockingStub(fresh)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .slow(SlowRequest.newBuilder().setSleepMs(sleepMs).build());
      throw new AssertionError("a call after shutdown succeeded");
    } catch (StatusRuntimeException e) {
      return e;
    } finally {
      fresh.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
