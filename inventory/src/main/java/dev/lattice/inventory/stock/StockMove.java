package dev.lattice.inventory.stock;

import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import dev.lattice.inventory.store.jooq.tables.records.StockRecord;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.TableField;

/**
 * A move of units between two stock counters of one product: one atomic conditional UPDATE that
 * subtracts from {@code from} only while it holds enough units, adds the same amount to {@code
 * to} and bumps the stock version. Stock rows are hot, so no flow reads a counter and writes it
 * back: under READ COMMITTED PostgreSQL re-checks {@code from >= n} on the newest row version after
 * waiting for the row lock, so concurrent moves never oversell. {@code available + reserved + sold}
 * is conserved by construction.
 */
enum StockMove {
  /** OrderCreated: available → reserved. */
  RESERVE(STOCK.AVAILABLE, STOCK.RESERVED),
  /** OrderPaid on an ACTIVE reservation: reserved → sold. */
  COMMIT(STOCK.RESERVED, STOCK.SOLD),
  /** OrderPaid after the reservation expired or was released: available → sold. */
  SELL_AVAILABLE(STOCK.AVAILABLE, STOCK.SOLD),
  /** OrderCancelled, OrderRefunded before payment, expiry: reserved → available. */
  RELEASE(STOCK.RESERVED, STOCK.AVAILABLE),
  /** OrderRefunded on a COMMITTED reservation: sold → available. */
  RETURN(STOCK.SOLD, STOCK.AVAILABLE);

  private final TableField<StockRecord, Long> from;
  private final TableField<StockRecord, Long> to;

  StockMove(TableField<StockRecord, Long> from, TableField<StockRecord, Long> to) {
    this.from = from;
    this.to = to;
  }

  /**
   * Moves {@code quantity} units of product {@code productId} of {@code tenantId}.
   *
   * @return false, changing nothing, when the product has no stock row in the tenant or its
   *     {@code from} counter holds fewer than {@code quantity} units
   */
  boolean apply(DSLContext tx, UUID tenantId, UUID productId, long quantity, OffsetDateTime now) {
    return tx.update(STOCK)
            .set(from, from.minus(quantity))
            .set(to, to.plus(quantity))
            .set(STOCK.VERSION, STOCK.VERSION.plus(1))
            .set(STOCK.UPDATE_TIME, now)
            .where(STOCK.PRODUCT_ID.eq(productId))
            .and(STOCK.TENANT_ID.eq(tenantId))
            .and(from.ge(quantity))
            .execute()
        == 1;
  }
}
