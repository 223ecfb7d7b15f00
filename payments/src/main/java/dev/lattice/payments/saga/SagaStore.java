package dev.lattice.payments.saga;

import static dev.lattice.payments.store.jooq.Tables.CLOSED_ORDERS;

import dev.lattice.platform.db.RenderedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The SQL of the saga's own state: the per-order lock that serializes its handlers, and the orders
 * payments saw closed ({@code closed_orders}). Stateless.
 *
 * <p>The saga's handlers run in different durable consumers (one per event type), so OrderCreated
 * and OrderCancelled of one order may be handled at the same time; without a common lock, each
 * could miss the other's uncommitted row (a charge request written after the cancellation deleted
 * none). A transaction-scoped PostgreSQL advisory lock on the order id does it without a row that
 * may not exist yet.
 */
final class SagaStore {

  private SagaStore() {}

  /** Holds the order's lock until {@code tx} ends. */
  static void lockOrder(DSLContext tx, UUID orderId) {
    LOCK_ORDER.read(tx, rs -> Boolean.TRUE, key(orderId));
  }

  // Every event of the saga runs these: rendered once (decision 0016).
  private static final RenderedStatement LOCK_ORDER =
      RenderedStatement.of(
          DSL.select(
              DSL.function(
                  "pg_advisory_xact_lock",
                  SQLDataType.OTHER,
                  DSL.param("key", SQLDataType.BIGINT))),
          "key");

  private static final RenderedStatement IS_CLOSED =
      RenderedStatement.of(
          DSL.select(DSL.inline(1))
              .from(CLOSED_ORDERS)
              .where(CLOSED_ORDERS.TENANT_ID.eq(DSL.param("tenant_id", CLOSED_ORDERS.TENANT_ID)))
              .and(CLOSED_ORDERS.ORDER_ID.eq(DSL.param("order_id", CLOSED_ORDERS.ORDER_ID))),
          "tenant_id",
          "order_id");

  private static final RenderedStatement CLOSE =
      RenderedStatement.of(
          DSL.insertInto(CLOSED_ORDERS)
              .set(CLOSED_ORDERS.TENANT_ID, DSL.param("tenant_id", CLOSED_ORDERS.TENANT_ID))
              .set(CLOSED_ORDERS.ORDER_ID, DSL.param("order_id", CLOSED_ORDERS.ORDER_ID))
              .set(CLOSED_ORDERS.REASON, DSL.param("reason", CLOSED_ORDERS.REASON))
              .set(CLOSED_ORDERS.CLOSE_TIME, DSL.param("close_time", CLOSED_ORDERS.CLOSE_TIME))
              .onConflictDoNothing(),
          "tenant_id",
          "order_id",
          "reason",
          "close_time");

  /**
   * Holds the locks of {@code orderIds} until {@code tx} ends, taken in ascending key order in one
   * statement: for a transaction that handles several orders' events, so that two such transactions
   * wait for each other instead of deadlocking. Taking a lock held already stacks.
   */
  static void lockOrders(DSLContext tx, Collection<UUID> orderIds) {
    Long[] keys = orderIds.stream().map(SagaStore::key).distinct().sorted().toArray(Long[]::new);
    if (keys.length > 0) {
      LOCK_ORDERS.fetch(tx, rs -> Boolean.TRUE, (Object) keys);
    }
  }

  // Locks in the order of the array: the subquery keeps it (offset 0 keeps it a subquery).
  private static final RenderedStatement LOCK_ORDERS =
      RenderedStatement.of(
          DSL.select(
              DSL.field(
                  "(select count(pg_advisory_xact_lock(u.k)) from (select k from unnest({0}) with"
                      + " ordinality as u(k, i) order by i offset 0) u)",
                  Long.class, DSL.param("keys", SQLDataType.BIGINT.array()))),
          "keys");

  private static long key(UUID orderId) {
    return orderId.getMostSignificantBits() ^ orderId.getLeastSignificantBits();
  }

  /** Whether payments saw order {@code orderId} of {@code tenantId} closed. */
  static boolean isClosed(DSLContext ctx, UUID tenantId, UUID orderId) {
    return IS_CLOSED.read(ctx, ResultSet::next, tenantId, orderId);
  }

  /** Records order {@code orderId} of {@code tenantId} closed for {@code reason}, once. */
  static void close(DSLContext tx, UUID tenantId, UUID orderId, String reason, OffsetDateTime now) {
    CLOSE.execute(tx, tenantId, orderId, reason, now);
  }
}
