package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.FlakyRequest;
import dev.lattice.testing.v1.SlowRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChannelsIT {

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private static Telemetry telemetry;
  private static LatticeServer server;

  @BeforeAll
  static void start() {
    telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("echo"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .addMetricReader(metrics)
            .build();
    server =
        LatticeServer.netty("echo", 0)
            .addService(new EchoServiceImpl(null))
            .telemetry(telemetry)
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    telemetry.close();
  }

  @Test
  void idempotentMethod_unavailableTwice_isRetriedAndSucceeds() throws Exception {
    ManagedChannel channel =
        Channels.builder(target(), telemetry)
            .idempotent("lattice.testing.v1.EchoService/Flaky")
            .build();
    try {
      int attempts =
          EchoServiceGrpc.newBlockingStub(channel)
              .flaky(
                  FlakyRequest.newBuilder()
                      .setKey(UUID.randomUUID().toString())
                      .setFailures(2)
                      .build())
              .getAttempts();

      assertThat(attempts).isEqualTo(3);
    } finally {
      close(channel);
    }
  }

  @Test
  void methodsTheContractMarksIdempotent_areRetried() throws Exception {
    ManagedChannel channel =
        Channels.builder(target(), telemetry)
            .idempotentMethodsOf(EchoServiceGrpc.getServiceDescriptor())
            .build();
    try {
      EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(channel);
      FlakyRequest twice =
          FlakyRequest.newBuilder().setKey(UUID.randomUUID().toString()).setFailures(2).build();

      assertThat(stub.flaky(twice).getAttempts()).isEqualTo(3);
    } finally {
      close(channel);
    }
  }

  @Test
  void idempotentService_unavailableBeyondMaxAttempts_failsAfterThreeAttempts() throws Exception {
    ManagedChannel channel =
        Channels.builder(target(), telemetry).idempotent("lattice.testing.v1.EchoService").build();
    String key = UUID.randomUUID().toString();
    try {
      EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(channel);
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> stub.flaky(FlakyRequest.newBuilder().setKey(key).setFailures(5).build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      // The 4th call (no retry left on the channel for it) sees the server's counter at 4.
      assertThat(
              stub.flaky(FlakyRequest.newBuilder().setKey(key).setFailures(3).build())
                  .getAttempts())
          .isEqualTo(4);
    } finally {
      close(channel);
    }
  }

  @Test
  void methodNotDeclaredIdempotent_isNotRetried() throws Exception {
    ManagedChannel channel = Channels.forTarget(target(), telemetry);
    String key = UUID.randomUUID().toString();
    try {
      EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(channel);
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> stub.flaky(FlakyRequest.newBuilder().setKey(key).setFailures(1).build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(
              stub.flaky(FlakyRequest.newBuilder().setKey(key).setFailures(1).build())
                  .getAttempts())
          .isEqualTo(2);
    } finally {
      close(channel);
    }
  }

  @Test
  void callWithoutDeadline_getsTheDefaultDeadline() throws Exception {
    ManagedChannel channel =
        Channels.builder(target(), telemetry).defaultDeadline(Duration.ofMillis(300)).build();
    try {
      long start = System.nanoTime();
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  EchoServiceGrpc.newBlockingStub(channel)
                      .slow(SlowRequest.newBuilder().setSleepMs(2_000).build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    } finally {
      close(channel);
    }
  }

  @Test
  void callerDeadline_winsOverTheDefault() throws Exception {
    ManagedChannel channel =
        Channels.builder(target(), telemetry).defaultDeadline(Duration.ofMillis(100)).build();
    try {
      long slept =
          EchoServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .slow(SlowRequest.newBuilder().setSleepMs(400).build())
              .getSleptMs();

      assertThat(slept).isGreaterThanOrEqualTo(400);
    } finally {
      close(channel);
    }
  }

  @Test
  void call_isOneTraceAcrossClientAndServer_andRecordsServerDuration() throws Exception {
    ManagedChannel channel = Channels.forTarget(target(), telemetry);
    spans.reset();
    try {
      EchoServiceGrpc.newBlockingStub(channel).slow(SlowRequest.newBuilder().setSleepMs(1).build());
    } finally {
      close(channel);
    }

    // The server ends its span after the response is on the wire, so it may finish after the
    // client has returned: so may the previous test's, after the reset above (seen in CI: the
    // first server span was another call's). The call's own is the one in the client's trace.
    List<SpanData> finished =
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(5))
            .until(
                spans::getFinishedSpanItems,
                items ->
                    items.stream()
                        .filter(s -> s.getKind() == SpanKind.CLIENT)
                        .anyMatch(c -> serverSpanIn(items, c).isPresent()));
    SpanData client =
        finished.stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT && serverSpanIn(finished, s).isPresent())
            .findFirst()
            .orElseThrow();
    SpanData serverSpan = serverSpanIn(finished, client).orElseThrow();
    assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(serverSpan.getName()).isEqualTo("lattice.testing.v1.EchoService/Slow");
    assertThat(metrics.collectAllMetrics())
        .extracting(MetricData::getName)
        .anyMatch(name -> name.startsWith("rpc.server.") && name.contains("duration"))
        .anyMatch(name -> name.startsWith("rpc.client.") && name.contains("duration"));
  }

  /** The server span of {@code spans} in {@code client}'s trace. */
  private static java.util.Optional<SpanData> serverSpanIn(List<SpanData> spans, SpanData client) {
    return spans.stream()
        .filter(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(client.getTraceId()))
        .findFirst();
  }

  private static String target() {
    return "127.0.0.1:" + server.port();
  }

  private static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
