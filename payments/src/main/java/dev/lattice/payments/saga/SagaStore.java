package dev.lattice.payments.saga;

import static dev.lattice.payments.store.jooq.Tables.CLOSED_ORDERS;

import java.time.OffsetDateTime;
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
    long key = orderId.getMostSignificantBits() ^ orderId.getLeastSignificantBits();
    tx.select(DSL.function("pg_advisory_xact_lock", SQLDataType.OTHER, DSL.val(key))).fetch();
  }

  /** Whether payments saw order {@code orderId} of {@code tenantId} closed. */
  static boolean isClosed(DSLContext ctx, UUID tenantId, UUID orderId) {
    return ctx.fetchExists(
        CLOSED_ORDERS,
        CLOSED_ORDERS.TENANT_ID.eq(tenantId).and(CLOSED_ORDERS.ORDER_ID.eq(orderId)));
  }

  /** Records order {@code orderId} of {@code tenantId} closed for {@code reason}, once. */
  static void close(DSLContext tx, UUID tenantId, UUID orderId, String reason, OffsetDateTime now) {
    tx.insertInto(CLOSED_ORDERS)
        .set(CLOSED_ORDERS.TENANT_ID, tenantId)
        .set(CLOSED_ORDERS.ORDER_ID, orderId)
        .set(CLOSED_ORDERS.REASON, reason)
        .set(CLOSED_ORDERS.CLOSE_TIME, now)
        .onConflictDoNothing()
        .execute();
  }
}
