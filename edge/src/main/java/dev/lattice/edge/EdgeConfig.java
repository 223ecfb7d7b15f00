package dev.lattice.edge;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the local edge reads from its environment.
 *
 * <table>
 *   <caption>Edge variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_EDGE_HTTP_PORT}</td><td>8080</td>
 *       <td>the one port for JSON, gRPC-Web and gRPC; 0 picks a free port</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_DESCRIPTORS}</td><td>the bundled set</td>
 *       <td>a descriptor set file ({@code proto/target/descriptors/lattice.binpb})</td></tr>
 *   <tr><td>{@code LATTICE_<SERVICE>_TARGET}</td><td>127.0.0.1:9101 … 9106</td>
 *       <td>the gRPC target of each service ({@code LATTICE_INVENTORY_TARGET}); required for a
 *           service the defaults do not know</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_CORS_ORIGINS}</td><td>{@code http://localhost:*,http://127.0.0.1:*}</td>
 *       <td>comma-separated allowed origins; {@code :*} allows any port, {@code *} any origin</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_TIMEOUT}</td><td>15s</td>
 *       <td>the deadline of every forwarded call (a shorter {@code grpc-timeout} wins)</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_RATE_LIMIT}</td><td>500</td>
 *       <td>requests per second the edge admits (a token bucket holding one second's worth)</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_MAX_REQUEST_BYTES}</td><td>1048576</td>
 *       <td>the largest request body (413 beyond it)</td></tr>
 *   <tr><td>{@code LATTICE_EDGE_DRAIN_TIMEOUT}</td><td>20s</td>
 *       <td>how long in-flight calls may finish once the edge stops</td></tr>
 * </table>
 *
 * @param httpPort TCP port, 0–65535
 * @param descriptors the descriptor set file, empty for the bundled one
 * @param targets gRPC target per upstream name ({@code inventory} → {@code 127.0.0.1:9103})
 * @param corsOrigins allowed origins, see {@link CorsOrigins}
 * @param timeout deadline of every forwarded call, positive
 * @param rateLimit admitted requests per second, positive
 * @param maxRequestBytes largest request body in bytes, positive
 * @param drainTimeout how long in-flight calls may finish on stop
 */
public record EdgeConfig(
    int httpPort,
    Optional<Path> descriptors,
    Map<String, String> targets,
    List<String> corsOrigins,
    Duration timeout,
    double rateLimit,
    long maxRequestBytes,
    Duration drainTimeout) {

  /** The edge's port when {@code LATTICE_EDGE_HTTP_PORT} is unset. */
  public static final int DEFAULT_HTTP_PORT = 8080;

  /** The deadline of a forwarded call when {@code LATTICE_EDGE_TIMEOUT} is unset. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** Requests per second when {@code LATTICE_EDGE_RATE_LIMIT} is unset. */
  public static final int DEFAULT_RATE_LIMIT = 500;

  /** The request body cap when {@code LATTICE_EDGE_MAX_REQUEST_BYTES} is unset: 1 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  /** The drain timeout when {@code LATTICE_EDGE_DRAIN_TIMEOUT} is unset. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

  /** Browser origins allowed by default: a page served from this machine, on any port. */
  public static final List<String> DEFAULT_CORS_ORIGINS =
      List.of("http://localhost:*", "http://127.0.0.1:*");

  /** Each Lattice service's gRPC address on one machine (the ports of the mesh). */
  public static final Map<String, String> DEFAULT_TARGETS =
      Map.of(
          "identity", "127.0.0.1:9101",
          "orders", "127.0.0.1:9102",
          "inventory", "127.0.0.1:9103",
          "payments", "127.0.0.1:9104",
          "notifications", "127.0.0.1:9105",
          "audit", "127.0.0.1:9106");

  /** Checks the values and copies the collections. */
  public EdgeConfig {
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort must be 0-65535: " + httpPort);
    }
    Objects.requireNonNull(descriptors, "descriptors");
    targets = Map.copyOf(targets);
    corsOrigins = List.copyOf(corsOrigins);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (!(rateLimit > 0) || Double.isInfinite(rateLimit)) {
      throw new IllegalArgumentException("rateLimit must be a positive number: " + rateLimit);
    }
    if (maxRequestBytes <= 0 || maxRequestBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxRequestBytes out of range: " + maxRequestBytes);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative");
    }
    CorsOrigins.parse(corsOrigins);
  }

  /**
   * Reads the configuration from {@code env}. The descriptor set is loaded here to learn which
   * upstreams exist: each needs {@code LATTICE_<NAME>_TARGET} unless it is one of the six Lattice
   * services, which default to this machine's ports.
   *
   * @throws ConfigException naming the variable that is malformed or missing
   */
  public static EdgeConfig fromEnv(Env env) {
    Optional<Path> descriptors = env.optional("LATTICE_EDGE_DESCRIPTORS").map(Path::of);
    DescriptorCatalog catalog = DescriptorCatalog.load(descriptors);
    Map<String, String> targets = new LinkedHashMap<>();
    for (String name : catalog.upstreamNames()) {
      String variable = targetVariable(name);
      Optional<String> target = env.optional(variable).or(() -> defaultTarget(name));
      targets.put(
          name,
          target.orElseThrow(
              () ->
                  new ConfigException(
                      variable + " must be set: the descriptor set has services of " + name)));
    }
    double rateLimit = env.integer("LATTICE_EDGE_RATE_LIMIT", DEFAULT_RATE_LIMIT, 1, 1_000_000);
    Duration timeout = env.duration("LATTICE_EDGE_TIMEOUT", DEFAULT_TIMEOUT);
    if (timeout.isZero()) {
      throw new ConfigException("LATTICE_EDGE_TIMEOUT must be positive");
    }
    List<String> origins =
        env.optional("LATTICE_EDGE_CORS_ORIGINS")
            .map(
                value ->
                    Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
            .orElse(DEFAULT_CORS_ORIGINS);
    try {
      CorsOrigins.parse(origins);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("LATTICE_EDGE_CORS_ORIGINS: " + e.getMessage(), e);
    }
    return new EdgeConfig(
        env.integer("LATTICE_EDGE_HTTP_PORT", DEFAULT_HTTP_PORT, 0, 65535),
        descriptors,
        targets,
        origins,
        timeout,
        rateLimit,
        env.integer(
            "LATTICE_EDGE_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES, 1, Integer.MAX_VALUE),
        env.duration("LATTICE_EDGE_DRAIN_TIMEOUT", DEFAULT_DRAIN_TIMEOUT));
  }

  /** {@code LATTICE_INVENTORY_TARGET} for {@code inventory}. */
  public static String targetVariable(String upstreamName) {
    return "LATTICE_" + upstreamName.toUpperCase(Locale.ROOT) + "_TARGET";
  }

  private static Optional<String> defaultTarget(String name) {
    return Optional.ofNullable(DEFAULT_TARGETS.get(name));
  }
}
