package dev.lattice.platform.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exporter's failure path; OrderTraceIT (launcher) sends spans to a real Zipkin. */
class ZipkinSpanExporterTest {

  @Test
  void export_whereNothingListens_fails_andAfterShutdownIsRefused() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ZipkinSpanExporter exporter =
        new ZipkinSpanExporter(
            URI.create("http://127.0.0.1:" + port + "/api/v2/spans"), Duration.ofSeconds(5));

    CompletableResultCode refused = exporter.export(List.of(span()));

    assertThat(refused.join(10, TimeUnit.SECONDS).isSuccess()).isFalse();
    assertThat(exporter.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(exporter.export(List.of(span())).isSuccess()).isFalse();
  }

  private static io.opentelemetry.sdk.trace.data.SpanData span() {
    return TestSpanData.builder()
        .setSpanContext(
            SpanContext.create(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7",
                TraceFlags.getSampled(),
                TraceState.getDefault()))
        .setName("work")
        .setKind(SpanKind.INTERNAL)
        .setStartEpochNanos(1_000_000_000L)
        .setEndEpochNanos(2_000_000_000L)
        .setHasEnded(true)
        .setStatus(StatusData.unset())
        .setResource(Resource.getDefault())
        .setInstrumentationScopeInfo(InstrumentationScopeInfo.create("test"))
        .build();
  }
}
