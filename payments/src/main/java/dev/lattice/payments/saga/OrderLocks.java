package dev.lattice.payments.saga;

import java.util.Collection;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The saga's per-order locks, for a consumer that handles the events of one pull in one
 * transaction: its first handler takes the locks of every order of the batch, in one order, before
 * any of them writes; each handler then takes its own order's lock again, which holds already.
 * Stateless.
 */
public final class OrderLocks {

  private OrderLocks() {}

  /** Holds the locks of {@code orderIds} until {@code tx} ends. */
  public static void lockAll(DSLContext tx, Collection<UUID> orderIds) {
    SagaStore.lockOrders(tx, orderIds);
  }
}
