package dev.lattice.payments.saga;

import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Serializes the saga handlers of one order. They run in different durable consumers (one per
 * event type), so OrderCreated and OrderCancelled of one order may be handled at the same time;
 * without a common lock, each could miss the other's uncommitted row (a charge request written
 * after the cancellation deleted none). A transaction-scoped PostgreSQL advisory lock on the order
 * id does it without a row that may not exist yet.
 */
final class OrderLocks {

  private OrderLocks() {}

  /** Holds the order's lock until {@code tx} ends. */
  static void lock(DSLContext tx, UUID orderId) {
    long key = orderId.getMostSignificantBits() ^ orderId.getLeastSignificantBits();
    tx.select(DSL.function("pg_advisory_xact_lock", SQLDataType.OTHER, DSL.val(key))).fetch();
  }
}
