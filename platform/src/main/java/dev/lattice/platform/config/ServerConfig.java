package dev.lattice.platform.config;

import java.time.Duration;

/**
 * Where a gRPC server listens and how long it drains.
 *
 * <table>
 *   <caption>Server variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_GRPC_PORT}</td><td>per service</td>
 *       <td>TCP port, 0 for any free port</td></tr>
 *   <tr><td>{@code LATTICE_DRAIN_TIMEOUT}</td><td>20s</td>
 *       <td>how long in-flight calls may run after shutdown starts</td></tr>
 * </table>
 *
 * @param port TCP port, 0–65535 (0 picks a free port)
 * @param drainTimeout how long in-flight calls may finish before they are cancelled
 */
public record ServerConfig(int port, Duration drainTimeout) {

  /** The default drain timeout. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

  /** Checks the values. */
  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative");
    }
  }

  /**
   * Reads {@code LATTICE_GRPC_PORT} and {@code LATTICE_DRAIN_TIMEOUT}.
   *
   * @param defaultPort the service's own port when {@code LATTICE_GRPC_PORT} is unset
   * @throws ConfigException naming the variable that is malformed
   */
  public static ServerConfig fromEnv(Env env, int defaultPort) {
    return new ServerConfig(
        env.integer("LATTICE_GRPC_PORT", defaultPort, 0, 65535),
        env.duration("LATTICE_DRAIN_TIMEOUT", DEFAULT_DRAIN_TIMEOUT));
  }
}
