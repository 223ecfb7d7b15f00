package dev.lattice.envoy;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What envoy.yaml needs beyond the contracts: addresses, origins, limits. The defaults are the
 * compose deployment's names and ports (README, "Names, ports and addresses"); the committed
 * envoy.yaml is generated with the defaults only. Immutable.
 *
 * @param allowedOriginRegexes RE2 expressions a CORS {@code Origin} must match in full
 * @param grpcPorts each deployable's gRPC port; the cluster address is {@code <name>:<port>}
 * @param jwksUri where identity serves its JWK Set over HTTP (its host and port make the {@code
 *     identity_jwks} cluster)
 * @param issuer the {@code iss} access tokens carry
 * @param audience the {@code aud} access tokens carry
 * @param descriptorPath where the Envoy container finds the descriptor set
 * @param otelHost the OpenTelemetry collector's host (OTLP over gRPC)
 * @param otelPort the collector's OTLP gRPC port
 * @param routeTimeoutSeconds the deadline of every route, in seconds
 * @param rateLimitPerSecond tokens the listener-wide bucket regains each second
 * @param rateLimitBurst the bucket's size: requests allowed at once after a quiet spell
 * @param maxRequestBodyBytes the largest JSON request body the transcoder accepts
 */
public record EdgeSettings(
    List<String> allowedOriginRegexes,
    Map<String, Integer> grpcPorts,
    URI jwksUri,
    String issuer,
    String audience,
    String descriptorPath,
    String otelHost,
    int otelPort,
    int routeTimeoutSeconds,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int maxRequestBodyBytes) {

  /** {@code http://localhost:<any port>} and {@code http://127.0.0.1:<any port>}. */
  public static final List<String> DEFAULT_ORIGINS =
      List.of("http://localhost(:[0-9]+)?", "http://127\\.0\\.0\\.1(:[0-9]+)?");

  /** The deployables' gRPC ports, as each service's main class and docker-compose.yml set them. */
  public static final Map<String, Integer> DEFAULT_PORTS =
      Map.of(
          "identity", 9101,
          "orders", 9102,
          "inventory", 9103,
          "payments", 9104,
          "notifications", 9105,
          "audit", 9106);

  public EdgeSettings {
    allowedOriginRegexes = List.copyOf(allowedOriginRegexes);
    grpcPorts = Map.copyOf(grpcPorts);
    if (allowedOriginRegexes.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed origin is needed");
    }
    if (jwksUri.getHost() == null || jwksUri.getPort() < 0) {
      throw new IllegalArgumentException("the JWKS URI needs a host and a port: " + jwksUri);
    }
    if (routeTimeoutSeconds <= 0
        || rateLimitPerSecond <= 0
        || rateLimitBurst <= 0
        || maxRequestBodyBytes <= 0) {
      throw new IllegalArgumentException("timeouts and limits must be positive");
    }
  }

  /** The defaults: what the committed envoy.yaml is generated from. */
  public static EdgeSettings defaults() {
    return new Builder().build();
  }

  /**
   * The gRPC port of {@code cluster}; fails when the settings name none, so no service is left out.
   */
  public int portOf(String cluster) {
    Integer port = grpcPorts.get(cluster);
    if (port == null) {
      throw new IllegalArgumentException(
          "no gRPC port for deployable '" + cluster + "': pass --port " + cluster + "=<port>");
    }
    return port;
  }

  /** Collects settings from command-line options, starting from the defaults. Not thread-safe. */
  public static final class Builder {
    private final List<String> origins = new ArrayList<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>(DEFAULT_PORTS);
    private URI jwksUri = URI.create("http://identity:9201/.well-known/jwks.json");
    private String issuer = "lattice-identity";
    private String audience = "lattice";
    private String descriptorPath = "/etc/envoy/lattice.binpb";
    private String otelHost = "otel-collector";
    private int otelPort = 4317;
    private int routeTimeoutSeconds = 15;
    private int rateLimitPerSecond = 200;
    private int rateLimitBurst = 400;
    private int maxRequestBodyBytes = 1024 * 1024;

    /**
     * Applies one option. {@code --allowed-origin-regex} and {@code --port} may repeat; the first
     * origin given replaces the default origins.
     *
     * @throws IllegalArgumentException for an unknown option or a malformed value
     */
    public Builder set(String option, String value) {
      switch (option) {
        case "--allowed-origin-regex" -> origins.add(value);
        case "--port" -> {
          String[] pair = value.split("=", 2);
          if (pair.length != 2) {
            throw new IllegalArgumentException("--port wants <deployable>=<port>, got " + value);
          }
          ports.put(pair[0], Integer.parseInt(pair[1]));
        }
        case "--jwks-uri" -> jwksUri = URI.create(value);
        case "--issuer" -> issuer = value;
        case "--audience" -> audience = value;
        case "--descriptor-path" -> descriptorPath = value;
        case "--otel-address" -> {
          int colon = value.lastIndexOf(':');
          if (colon < 1) {
            throw new IllegalArgumentException("--otel-address wants <host>:<port>, got " + value);
          }
          otelHost = value.substring(0, colon);
          otelPort = Integer.parseInt(value.substring(colon + 1));
        }
        case "--route-timeout-seconds" -> routeTimeoutSeconds = Integer.parseInt(value);
        case "--rate-limit-per-second" -> rateLimitPerSecond = Integer.parseInt(value);
        case "--rate-limit-burst" -> rateLimitBurst = Integer.parseInt(value);
        case "--max-request-body-bytes" -> maxRequestBodyBytes = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
      return this;
    }

    /** The settings; the default origins when none was given. */
    public EdgeSettings build() {
      return new EdgeSettings(
          origins.isEmpty() ? DEFAULT_ORIGINS : origins,
          ports,
          jwksUri,
          issuer,
          audience,
          descriptorPath,
          otelHost,
          otelPort,
          routeTimeoutSeconds,
          rateLimitPerSecond,
          rateLimitBurst,
          maxRequestBodyBytes);
    }
  }
}
