package dev.lattice.platform.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a service checks the dependencies its health depends on (its database, NATS), and how
 * long one check may take before it counts as failed.
 *
 * <table>
 *   <caption>Health variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_HEALTH_CHECK_INTERVAL}</td><td>1s</td>
 *       <td>pause between two checks, at least 100ms</td></tr>
 *   <tr><td>{@code LATTICE_HEALTH_CHECK_TIMEOUT}</td><td>2s</td>
 *       <td>longest a check may take, at least 100ms; a check still running then has failed</td></tr>
 * </table>
 *
 * @param interval pause between two checks
 * @param timeout how long one check may take
 */
public record HealthConfig(Duration interval, Duration timeout) {

  /** The default interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** The default timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private static final Duration MINIMUM = Duration.ofMillis(100);

  /** Checks the values. */
  public HealthConfig {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    if (interval.compareTo(MINIMUM) < 0) {
      throw new IllegalArgumentException("health check interval must be at least 100ms");
    }
    if (timeout.compareTo(MINIMUM) < 0) {
      throw new IllegalArgumentException("health check timeout must be at least 100ms");
    }
  }

  /** The defaults: every second, 2 s each. */
  public static HealthConfig defaults() {
    return new HealthConfig(DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
  }

  /**
   * Reads {@code LATTICE_HEALTH_CHECK_INTERVAL} and {@code LATTICE_HEALTH_CHECK_TIMEOUT}.
   *
   * @throws ConfigException naming the variable that is malformed or too small
   */
  public static HealthConfig fromEnv(Env env) {
    Duration interval = env.duration("LATTICE_HEALTH_CHECK_INTERVAL", DEFAULT_INTERVAL);
    if (interval.compareTo(MINIMUM) < 0) {
      throw new ConfigException("LATTICE_HEALTH_CHECK_INTERVAL must be at least 100ms");
    }
    Duration timeout = env.duration("LATTICE_HEALTH_CHECK_TIMEOUT", DEFAULT_TIMEOUT);
    if (timeout.compareTo(MINIMUM) < 0) {
      throw new ConfigException("LATTICE_HEALTH_CHECK_TIMEOUT must be at least 100ms");
    }
    return new HealthConfig(interval, timeout);
  }
}
