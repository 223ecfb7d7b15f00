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
 *       <td>collector base URL, such as {@code http://collector:4317}</td></tr>
 *   <tr><td>{@code OTEL_EXPORTER_OTLP_PROTOCOL}</td><td>{@code grpc}</td>
 *       <td>{@code grpc} or {@code http/protobuf}</td></tr>
 *   <tr><td>{@code OTEL_METRIC_EXPORT_INTERVAL}</td><td>60000</td>
 *       <td>milliseconds between metric exports</td></tr>
 * </table>
 *
 * <p>Without an endpoint the SDK still creates spans, so trace ids reach the logs and error
 * details, but nothing leaves the process.
 *
 * @param serviceName {@code service.name}
 * @param otlpEndpoint collector base URL; empty to export nothing
 * @param protocol {@code grpc} or {@code http/protobuf}
 * @param metricExportInterval time between metric exports, positive
 */
public record TelemetryConfig(
    String serviceName,
    Optional<URI> otlpEndpoint,
    String protocol,
    Duration metricExportInterval) {

  /** The OTLP/gRPC protocol name. */
  public static final String GRPC = "grpc";

  /** The OTLP/HTTP protobuf protocol name. */
  public static final String HTTP_PROTOBUF = "http/protobuf";

  /** Checks the values. */
  public TelemetryConfig {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new IllegalArgumentException("protocol must be grpc or http/protobuf: " + protocol);
    }
    if (metricExportInterval.isNegative() || metricExportInterval.isZero()) {
      throw new IllegalArgumentException("metricExportInterval must be positive");
    }
  }

  /** Spans and metrics are recorded but not exported. */
  public static TelemetryConfig withoutExport(String serviceName) {
    return new TelemetryConfig(serviceName, Optional.empty(), GRPC, Duration.ofMinutes(1));
  }

  /**
   * Reads the variables described above.
   *
   * @param defaultServiceName used when {@code OTEL_SERVICE_NAME} is unset
   * @throws ConfigException naming the variable that is malformed
   */
  public static TelemetryConfig fromEnv(Env env, String defaultServiceName) {
    Optional<URI> endpoint = env.optional("OTEL_EXPORTER_OTLP_ENDPOINT").map(TelemetryConfig::uri);
    String protocol = env.string("OTEL_EXPORTER_OTLP_PROTOCOL", GRPC).toLowerCase(Locale.ROOT);
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException(
          "OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, got '" + protocol + "'");
    }
    int intervalMillis = env.integer("OTEL_METRIC_EXPORT_INTERVAL", 60_000, 1, Integer.MAX_VALUE);
    return new TelemetryConfig(
        env.string("OTEL_SERVICE_NAME", defaultServiceName),
        endpoint,
        protocol,
        Duration.ofMillis(intervalMillis));
  }

  private static URI uri(String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "OTEL_EXPORTER_OTLP_ENDPOINT must be a URL such as http://collector:4317, got '"
              + value
              + "'",
          e);
    }
  }
}
