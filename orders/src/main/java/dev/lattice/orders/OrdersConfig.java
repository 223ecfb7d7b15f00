package dev.lattice.orders;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;

/**
 * What orders reads from its environment beyond the platform's settings.
 *
 * @param inventoryTarget inventory's gRPC target, {@code LATTICE_INVENTORY_TARGET}, default {@value
 *     #DEFAULT_INVENTORY_TARGET}
 * @param inventoryDeadline the deadline of each BatchGetProducts call CreateOrder makes, {@code
 *     LATTICE_INVENTORY_DEADLINE}, default 2 s (decision 0008)
 */
public record OrdersConfig(String inventoryTarget, Duration inventoryDeadline) {

  /** Checks the deadline is positive. */
  public OrdersConfig {
    if (inventoryDeadline.isZero()) {
      throw new ConfigException("LATTICE_INVENTORY_DEADLINE must be positive");
    }
  }

  /** Inventory's gRPC target when {@code LATTICE_INVENTORY_TARGET} is not set. */
  public static final String DEFAULT_INVENTORY_TARGET = "127.0.0.1:9103";

  /** The configuration from {@code env}. */
  public static OrdersConfig fromEnv(Env env) {
    return new OrdersConfig(
        env.string("LATTICE_INVENTORY_TARGET", DEFAULT_INVENTORY_TARGET),
        env.duration("LATTICE_INVENTORY_DEADLINE", Duration.ofSeconds(2)));
  }
}
