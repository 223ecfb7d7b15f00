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
 * @param maxOpenSagas the most orders of the mesh waiting for their saga before CreateOrder refuses
 *     new ones ({@link dev.lattice.orders.placement.SagaAdmission}), {@code
 *     LATTICE_ORDERS_MAX_OPEN_SAGAS}, default {@value #DEFAULT_MAX_OPEN_SAGAS}; 0 admits every
 *     order
 */
public record OrdersConfig(String inventoryTarget, Duration inventoryDeadline, int maxOpenSagas) {

  /**
   * The default bound on waiting orders: at this machine's saga rate under the chaos run's faults
   * (6-12 orders a second), 20-40 s of saga; decision 0021 says how to size it.
   */
  public static final int DEFAULT_MAX_OPEN_SAGAS = 256;

  /** Checks the deadline is positive and the bound not negative. */
  public OrdersConfig {
    if (inventoryDeadline.isZero()) {
      throw new ConfigException("LATTICE_INVENTORY_DEADLINE must be positive");
    }
    if (maxOpenSagas < 0) {
      throw new ConfigException("LATTICE_ORDERS_MAX_OPEN_SAGAS must be 0 (off) or more");
    }
  }

  /** Inventory's gRPC target when {@code LATTICE_INVENTORY_TARGET} is not set. */
  public static final String DEFAULT_INVENTORY_TARGET = "127.0.0.1:9103";

  /** The configuration from {@code env}. */
  public static OrdersConfig fromEnv(Env env) {
    return new OrdersConfig(
        env.string("LATTICE_INVENTORY_TARGET", DEFAULT_INVENTORY_TARGET),
        env.duration("LATTICE_INVENTORY_DEADLINE", Duration.ofSeconds(2)),
        env.integer("LATTICE_ORDERS_MAX_OPEN_SAGAS", DEFAULT_MAX_OPEN_SAGAS, 0, 10_000_000));
  }
}
