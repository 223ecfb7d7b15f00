package dev.lattice.platform.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.grpc.HealthReason;
import dev.lattice.platform.testsupport.CapturingAppender;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.TestModule;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, health that tells the truth: a service started the way all six start ({@link
 * ServiceRuntime}) answers {@code NOT_SERVING} — the server and each of its services, with the
 * reason — while its PostgreSQL or its nats-server is stopped or frozen, and {@code SERVING} again,
 * by itself, once they are back; calls through its pool work again then.
 */
class DependencyHealthIT {

  /** A name the operations protos accept; nothing of the real audit service is involved. */
  private static final String NAME = "audit";

  private static final List<String> EVERY_NAME =
      List.of("", "lattice.testing.v1.EchoService", "lattice.operations.v1.OperationsService");
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

  /** How long a change may take to show: a round, its timeout, and slack for a busy machine. */
  private static final Duration NOTICED_WITHIN = Duration.ofSeconds(6);

  /** How long a restarted dependency may take: jnats waits 1–2 s between reconnect attempts. */
  private static final Duration BACK_WITHIN = Duration.ofSeconds(20);

  private static final TestTokens tokens = TestTokens.generate();
  private static PostgresServer pg;
  private static NatsServer nats;
  private static RunningService service;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    pg = PostgresServer.start();
    nats = NatsServer.start();
    service = startService();
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + service.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (service != null) {
      service.close();
    }
    if (nats != null) {
      nats.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void databaseStopped_notServingWithItsReason_thenServingAgain_andThePoolServesCalls()
      throws Exception {
    notServingWhile(pg::stop, pg::restart, ServiceRuntime.DATABASE_UNREACHABLE);
    assertThat(outboxPending()).as("a call through the pool after the restart").isZero();
  }

  @Test
  void natsStopped_notServingWithItsReason_thenServingAgain() throws Exception {
    notServingWhile(nats::stop, nats::restart, ServiceRuntime.NATS_DISCONNECTED);
  }

  /** A frozen database keeps its sockets open: only a bounded check can notice it. */
  @Test
  void databaseFrozen_notServingWithinTheBound_thenServingAgain() throws Exception {
    notServingWhile(pg::pause, pg::resume, ServiceRuntime.DATABASE_UNREACHABLE);
    assertThat(outboxPending()).isZero();
  }

  /**
   * A frozen nats-server keeps the connection CONNECTED for up to two missed client pings (10 s and
   * more); the check's PING notices it within its own timeout.
   */
  @Test
  void natsFrozen_notServingWithinTheBound_thenServingAgain() throws Exception {
    notServingWhile(nats::pause, nats::resume, ServiceRuntime.NATS_DISCONNECTED);
  }

  /**
   * SERVING; then, between {@code outage} and {@code recovery}, NOT_SERVING on every name with
   * {@code reason}; then SERVING again by itself.
   */
  private void notServingWhile(Outage outage, Outage recovery, String reason) throws Exception {
    assertEveryName(awaitHealth(ServingStatus.SERVING, NOTICED_WITHIN), ServingStatus.SERVING);
    outage.run();
    try {
      assertEveryName(
          awaitHealth(ServingStatus.NOT_SERVING, NOTICED_WITHIN),
          ServingStatus.NOT_SERVING,
          reason);
    } finally {
      recovery.run();
    }
    assertEveryName(awaitHealth(ServingStatus.SERVING, BACK_WITHIN), ServingStatus.SERVING);
  }

  /** Stopping, pausing or bringing back a server. */
  @FunctionalInterface
  private interface Outage {
    void run() throws Exception;
  }

  /** The monitor stops before NATS and the pool close, so a clean stop reports no failure. */
  @Test
  void cleanStop_logsNoDependencyFailure() throws InterruptedException {
    RunningService other = startService();
    CapturingAppender.clear();

    other.close();
    Thread.sleep(3 * 200); // three rounds: a monitor left running would see NATS closed by now

    assertThat(CapturingAppender.events())
        .filteredOn(e -> e.getLoggerName().equals(DependencyHealth.class.getName()))
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .isEmpty();
  }

  private static RunningService startService() {
    return ServiceRuntime.start(
        new TestModule(
            NAME, tokens.keySource(), context -> List.of(new EchoServiceImpl(context.dsl()))),
        Env.of(
            Map.of(
                "LATTICE_DB_URL",
                pg.jdbcUrl("postgres"),
                "LATTICE_DB_USER",
                pg.user(),
                "LATTICE_NATS_URL",
                nats.url(),
                "LATTICE_DRAIN_TIMEOUT",
                "1s",
                "LATTICE_HEALTH_CHECK_INTERVAL",
                "200ms",
                "LATTICE_HEALTH_CHECK_TIMEOUT",
                CHECK_TIMEOUT.toMillis() + "ms")),
        NettyServerBuilder.forAddress(new InetSocketAddress(0)));
  }

  private record Answer(ServingStatus status, Optional<String> reason) {}

  /** Polls the whole server until it answers {@code expected}, then asks about every name. */
  private static Map<String, Answer> awaitHealth(ServingStatus expected, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Answer last = null;
    while (System.nanoTime() < deadline) {
      last = check("");
      if (last.status() == expected) {
        return EVERY_NAME.stream()
            .collect(java.util.stream.Collectors.toMap(name -> name, DependencyHealthIT::check));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("health never became " + expected + " within " + within + ": " + last);
  }

  private static void assertEveryName(Map<String, Answer> answers, ServingStatus status) {
    answers.forEach(
        (name, answer) ->
            assertThat(answer).as(name).isEqualTo(new Answer(status, Optional.empty())));
  }

  private static void assertEveryName(
      Map<String, Answer> answers, ServingStatus status, String reason) {
    answers.forEach(
        (name, answer) ->
            assertThat(answer).as(name).isEqualTo(new Answer(status, Optional.of(reason))));
  }

  private static Answer check(String name) {
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel)
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(name).build());
    return new Answer(response.getStatus(), HealthReason.from(trailers.get()));
  }

  private static long outboxPending() {
    return OperationsServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(tokens.token().permissions("operations.read").sign()))
        .getOutboxStatus(GetOutboxStatusRequest.newBuilder().setService(NAME).build())
        .getStatus()
        .getPendingCount();
  }
}
