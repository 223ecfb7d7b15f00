package dev.lattice.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.TelemetryConfig.TracesExporter;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryConfigTest {

  @Test
  void nothingSet_exportsNothing() {
    TelemetryConfig config = TelemetryConfig.fromEnv(Env.of(Map.of()), "orders");

    assertThat(config.tracesExporter()).isEqualTo(TracesExporter.NONE);
    assertThat(config.otlpEndpoint()).isEmpty();
  }

  @Test
  void otlpEndpointAlone_sendsSpansThere() {
    TelemetryConfig config =
        TelemetryConfig.fromEnv(
            Env.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")), "orders");

    assertThat(config.tracesExporter()).isEqualTo(TracesExporter.OTLP);
  }

  @Test
  void zipkin_takesTheSpecificationsDefaultEndpoint_orTheOneNamed() {
    TelemetryConfig byDefault =
        TelemetryConfig.fromEnv(Env.of(Map.of("OTEL_TRACES_EXPORTER", "zipkin")), "orders");
    TelemetryConfig named =
        TelemetryConfig.fromEnv(
            Env.of(
                Map.of(
                    "OTEL_TRACES_EXPORTER", "Zipkin",
                    "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://127.0.0.1:9511/api/v2/spans",
                    "OTEL_EXPORTER_ZIPKIN_TIMEOUT", "2500")),
            "orders");

    assertThat(byDefault.tracesExporter()).isEqualTo(TracesExporter.ZIPKIN);
    assertThat(byDefault.zipkinEndpoint())
        .isEqualTo(URI.create("http://localhost:9411/api/v2/spans"));
    assertThat(byDefault.zipkinTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(named.tracesExporter()).isEqualTo(TracesExporter.ZIPKIN);
    assertThat(named.zipkinEndpoint()).isEqualTo(URI.create("http://127.0.0.1:9511/api/v2/spans"));
    assertThat(named.zipkinTimeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void zipkinBesideAnOtlpEndpoint_keepsMetricsOnOtlp() {
    TelemetryConfig config =
        TelemetryConfig.fromEnv(
            Env.of(
                Map.of(
                    "OTEL_TRACES_EXPORTER", "zipkin",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
            "orders");

    assertThat(config.tracesExporter()).isEqualTo(TracesExporter.ZIPKIN);
    assertThat(config.otlpEndpoint()).contains(URI.create("http://collector:4317"));
  }

  @Test
  void none_keepsSpansInTheProcess_evenWithAnOtlpEndpoint() {
    TelemetryConfig config =
        TelemetryConfig.fromEnv(
            Env.of(
                Map.of(
                    "OTEL_TRACES_EXPORTER", "none",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
            "orders");

    assertThat(config.tracesExporter()).isEqualTo(TracesExporter.NONE);
  }

  @Test
  void malformedOrContradictorySettings_nameTheirVariable() {
    assertThatThrownBy(
            () -> TelemetryConfig.fromEnv(Env.of(Map.of("OTEL_TRACES_EXPORTER", "jaeger")), "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_TRACES_EXPORTER")
        .hasMessageContaining("jaeger");
    assertThatThrownBy(
            () -> TelemetryConfig.fromEnv(Env.of(Map.of("OTEL_TRACES_EXPORTER", "otlp")), "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
    assertThatThrownBy(
            () ->
                TelemetryConfig.fromEnv(
                    Env.of(
                        Map.of(
                            "OTEL_TRACES_EXPORTER", "zipkin",
                            "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "zipkin:9411")),
                    "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_EXPORTER_ZIPKIN_ENDPOINT");
    assertThatThrownBy(
            () -> TelemetryConfig.fromEnv(Env.of(Map.of("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "0")), "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_EXPORTER_ZIPKIN_TIMEOUT");
  }
}
