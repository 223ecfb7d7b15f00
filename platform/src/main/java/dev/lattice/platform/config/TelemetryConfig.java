package dev.lattice.platform.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the OpenTelemetry SDK exports, and where. The variables are OpenTelemetry's standard ones.
 *
 * <table>
 *   <caption>Telemetry variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code OTEL_SERVICE_NAME}</td><td>the service's name</td>
 *       <td>resource attribute {@code service.name}</td></tr>
 *   <tr><td>{@code OTEL_EXPORTER_OTLP_ENDPOINT}</td><td>unset: no export</td>
 *       <td>collector base URL, such as {@code http://collector:4317}; metrics go there, and spans
 *       unless {@code OTEL_TRACES_EXPORTER} says otherwise</td></tr>
 *   <tr><td>{@code OTEL_EXPORTER_OTLP_PROTOCOL}</td><td>{@code grpc}</td>
 *       <td>{@code grpc} or {@code http/protobuf}</td></tr>
 *   <tr><td>{@code OTEL_METRIC_EXPORT_INTERVAL}</td><td>60000</td>
 *       <td>milliseconds between metric exports</td></tr>
 *   <tr><td>{@code OTEL_TRACES_EXPORTER}</td>
 *       <td>{@code otlp} with an OTLP endpoint, else {@code none}</td>
 *       <td>where spans go: {@code otlp} (needs the OTLP endpoint), {@code zipkin} or
 *       {@code none}; one value</td></tr>
 *   <tr><td>{@code OTEL_EXPORTER_ZIPKIN_ENDPOINT}</td>
 *       <td>{@code http://localhost:9411/api/v2/spans}</td>
 *       <td>Zipkin's span intake, for {@code OTEL_TRACES_EXPORTER=zipkin}</td></tr>
 *   <tr><td>{@code OTEL_EXPORTER_ZIPKIN_TIMEOUT}</td><td>10000</td>
 *       <td>milliseconds one export to Zipkin may take</td></tr>
 * </table>
 *
 * <p>Without an export the SDK still creates spans, so trace ids reach the logs and error details,
 * but nothing leaves the process.
 *
 * @param serviceName {@code service.name}
 * @param otlpEndpoint collector base URL; empty to export no metrics (and no spans over OTLP)
 * @param protocol {@code grpc} or {@code http/protobuf}
 * @param metricExportInterval time between metric exports, positive
 * @param tracesExporter where spans go; {@link TracesExporter#OTLP} only with an OTLP endpoint
 * @param zipkinEndpoint the URL spans are posted to with {@link TracesExporter#ZIPKIN}
 * @param zipkinTimeout how long one export to Zipkin may take, positive
 */
public record TelemetryConfig(
    String serviceName,
    Optional<URI> otlpEndpoint,
    String protocol,
    Duration metricExportInterval,
    TracesExporter tracesExporter,
    URI zipkinEndpoint,
    Duration zipkinTimeout) {

  /** The OTLP/gRPC protocol name. */
  public static final String GRPC = "grpc";

  /** The OTLP/HTTP protobuf protocol name. */
  public static final String HTTP_PROTOBUF = "http/protobuf";

  /** The OpenTelemetry specification's default for {@code OTEL_EXPORTER_ZIPKIN_ENDPOINT}. */
  public static final URI DEFAULT_ZIPKIN_ENDPOINT =
      URI.create("http://localhost:9411/api/v2/spans");

  private static final Duration DEFAULT_ZIPKIN_TIMEOUT = Duration.ofSeconds(10);

  /** Where spans are exported ({@code OTEL_TRACES_EXPORTER}). */
  public enum TracesExporter {
    /** To the OTLP endpoint, with its protocol. */
    OTLP,
    /** To a Zipkin server, in Zipkin's v2 JSON format. */
    ZIPKIN,
    /** Nowhere: spans are recorded but stay in the process. */
    NONE
  }

  /** Checks the values. */
  public TelemetryConfig {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
    Objects.requireNonNull(tracesExporter, "tracesExporter");
    Objects.requireNonNull(zipkinEndpoint, "zipkinEndpoint");
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new IllegalArgumentException("protocol must be grpc or http/protobuf: " + protocol);
    }
    if (metricExportInterval.isNegative() || metricExportInterval.isZero()) {
      throw new IllegalArgumentException("metricExportInterval must be positive");
    }
    if (zipkinTimeout.isNegative() || zipkinTimeout.isZero()) {
      throw new IllegalArgumentException("zipkinTimeout must be positive");
    }
    if (tracesExporter == TracesExporter.OTLP && otlpEndpoint.isEmpty()) {
      throw new IllegalArgumentException("OTLP span export needs an OTLP endpoint");
    }
  }

  /** Spans and metrics are recorded but not exported. */
  public static TelemetryConfig withoutExport(String serviceName) {
    return new TelemetryConfig(
        serviceName,
        Optional.empty(),
        GRPC,
        Duration.ofMinutes(1),
        TracesExporter.NONE,
        DEFAULT_ZIPKIN_ENDPOINT,
        DEFAULT_ZIPKIN_TIMEOUT);
  }

  /**
   * Reads the variables described above.
   *
   * @param defaultServiceName used when {@code OTEL_SERVICE_NAME} is unset
   * @throws ConfigException naming the variable that is malformed
   */
  public static TelemetryConfig fromEnv(Env env, String defaultServiceName) {
    Optional<URI> endpoint =
        env.optional("OTEL_EXPORTER_OTLP_ENDPOINT")
            .map(value -> uri("OTEL_EXPORTER_OTLP_ENDPOINT", value, "http://collector:4317"));
    String protocol = env.string("OTEL_EXPORTER_OTLP_PROTOCOL", GRPC).toLowerCase(Locale.ROOT);
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException(
          "OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, got '" + protocol + "'");
    }
    int intervalMillis = env.integer("OTEL_METRIC_EXPORT_INTERVAL", 60_000, 1, Integer.MAX_VALUE);
    TracesExporter traces = tracesExporter(env, endpoint.isPresent());
    URI zipkin =
        env.optional("OTEL_EXPORTER_ZIPKIN_ENDPOINT")
            .map(
                value ->
                    uri("OTEL_EXPORTER_ZIPKIN_ENDPOINT", value, "http://zipkin:9411/api/v2/spans"))
            .orElse(DEFAULT_ZIPKIN_ENDPOINT);
    int zipkinTimeoutMillis =
        env.integer(
            "OTEL_EXPORTER_ZIPKIN_TIMEOUT",
            (int) DEFAULT_ZIPKIN_TIMEOUT.toMillis(),
            1,
            Integer.MAX_VALUE);
    return new TelemetryConfig(
        env.string("OTEL_SERVICE_NAME", defaultServiceName),
        endpoint,
        protocol,
        Duration.ofMillis(intervalMillis),
        traces,
        zipkin,
        Duration.ofMillis(zipkinTimeoutMillis));
  }

  private static TracesExporter tracesExporter(Env env, boolean hasOtlpEndpoint) {
    Optional<String> named = env.optional("OTEL_TRACES_EXPORTER");
    if (named.isEmpty()) {
      return hasOtlpEndpoint ? TracesExporter.OTLP : TracesExporter.NONE;
    }
    TracesExporter exporter =
        switch (named.get().toLowerCase(Locale.ROOT)) {
          case "otlp" -> TracesExporter.OTLP;
          case "zipkin" -> TracesExporter.ZIPKIN;
          case "none" -> TracesExporter.NONE;
          default ->
              throw new ConfigException(
                  "OTEL_TRACES_EXPORTER must be one of otlp, zipkin or none, got '"
                      + named.get()
                      + "'");
        };
    if (exporter == TracesExporter.OTLP && !hasOtlpEndpoint) {
      throw new ConfigException(
          "OTEL_TRACES_EXPORTER=otlp needs OTEL_EXPORTER_OTLP_ENDPOINT (the collector's URL)");
    }
    return exporter;
  }

  private static URI uri(String variable, String value, String example) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          variable + " must be a URL such as " + example + ", got '" + value + "'", e);
    }
  }
}
