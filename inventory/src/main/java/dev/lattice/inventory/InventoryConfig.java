package dev.lattice.inventory;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;

/**
 * Inventory's settings for the order saga (docs/architecture.md §7, decision 0008).
 *
 * @param reservationTtl how long a reservation holds stock unless the order is paid ({@code
 *     LATTICE_INVENTORY_RESERVATION_TTL}, default 15 minutes)
 * @param expiryInterval the pause between passes of the expiry job ({@code
 *     LATTICE_INVENTORY_EXPIRY_INTERVAL}, default 5 s)
 */
public record InventoryConfig(Duration reservationTtl, Duration expiryInterval) {

  /** The default reservation lifetime. */
  public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMinutes(15);

  /** The default pause between expiry passes. */
  public static final Duration DEFAULT_EXPIRY_INTERVAL = Duration.ofSeconds(5);

  /** Checks that both durations are positive. */
  public InventoryConfig {
    if (reservationTtl.isZero() || reservationTtl.isNegative()) {
      throw new ConfigException(
          "LATTICE_INVENTORY_RESERVATION_TTL must be positive, got " + reservationTtl);
    }
    if (expiryInterval.isZero() || expiryInterval.isNegative()) {
      throw new ConfigException(
          "LATTICE_INVENTORY_EXPIRY_INTERVAL must be positive, got " + expiryInterval);
    }
  }

  /**
   * The settings in {@code env}.
   *
   * @throws ConfigException if a value is not a positive duration
   */
  public static InventoryConfig fromEnv(Env env) {
    return new InventoryConfig(
        env.duration("LATTICE_INVENTORY_RESERVATION_TTL", DEFAULT_RESERVATION_TTL),
        env.duration("LATTICE_INVENTORY_EXPIRY_INTERVAL", DEFAULT_EXPIRY_INTERVAL));
  }
}
