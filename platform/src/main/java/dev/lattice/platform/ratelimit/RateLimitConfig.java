package dev.lattice.platform.ratelimit;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;

/**
 * A service's per-caller rate limit (decision 0019): each caller (tenant and subject of its token)
 * may make {@code perSecond} calls a second on average and {@code burst} at once, across every
 * replica of the service. An immutable value.
 *
 * @param perSecond the refill rate, tokens a second; 0 turns the limit off
 * @param burst the bucket's size, at least 1 when the limit is on
 * @param lease the tokens a replica takes from the shared bucket at once, 1 to {@code burst}
 */
public record RateLimitConfig(int perSecond, int burst, int lease) {

  /**
   * Default calls a second per caller at each service: far above what a person's client sends,
   * enough for an integration working with one token; decision 0019 says why. 0 turns it off.
   */
  public static final int DEFAULT_PER_SECOND = 200;

  /** Default burst, as a multiple of the rate. */
  public static final int DEFAULT_BURST_SECONDS = 2;

  /** Default lease, at most the burst. */
  public static final int DEFAULT_LEASE = 20;

  public RateLimitConfig {
    if (perSecond < 0 || (perSecond > 0 && (burst < 1 || lease < 1 || lease > burst))) {
      throw new ConfigException(
          "rate limit: per second >= 0, burst >= 1 and 1 <= lease <= burst; got "
              + perSecond
              + "/"
              + burst
              + "/"
              + lease);
    }
  }

  /**
   * From {@code LATTICE_RATE_LIMIT_PER_SECOND} (default {@value #DEFAULT_PER_SECOND}; 0: off),
   * {@code LATTICE_RATE_LIMIT_BURST} ({@value #DEFAULT_BURST_SECONDS} seconds' worth) and {@code
   * LATTICE_RATE_LIMIT_LEASE} ({@value #DEFAULT_LEASE}, at most the burst).
   */
  public static RateLimitConfig from(Env env) {
    int perSecond = env.integer("LATTICE_RATE_LIMIT_PER_SECOND", DEFAULT_PER_SECOND, 0, 1_000_000);
    int burst =
        env.integer(
            "LATTICE_RATE_LIMIT_BURST",
            Math.max(1, DEFAULT_BURST_SECONDS * perSecond),
            1,
            10_000_000);
    int lease = env.integer("LATTICE_RATE_LIMIT_LEASE", Math.min(DEFAULT_LEASE, burst), 1, burst);
    return new RateLimitConfig(perSecond, burst, lease);
  }

  /** True when calls are limited. */
  public boolean enabled() {
    return perSecond > 0;
  }
}
