package dev.lattice.inventory.stock;

import dev.lattice.inventory.store.StockCounter;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.store.StockStore;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A move of units between two stock counters of one product, done by {@link StockStore#move} as one
 * atomic conditional UPDATE, so that no flow reads a counter and writes it back and concurrent
 * moves never oversell. {@code available + reserved + sold} is conserved by construction.
 */
enum StockMove {
  /** OrderCreated: available → reserved. */
  RESERVE(StockCounter.AVAILABLE, StockCounter.RESERVED),
  /** OrderPaid on an ACTIVE reservation: reserved → sold. */
  COMMIT(StockCounter.RESERVED, StockCounter.SOLD),
  /** OrderPaid after the reservation expired or was released: available → sold. */
  SELL_AVAILABLE(StockCounter.AVAILABLE, StockCounter.SOLD),
  /** OrderCancelled, OrderRefunded before payment, expiry: reserved → available. */
  RELEASE(StockCounter.RESERVED, StockCounter.AVAILABLE),
  /** OrderRefunded on a COMMITTED reservation: sold → available. */
  RETURN(StockCounter.SOLD, StockCounter.AVAILABLE);

  private final StockCounter from;
  private final StockCounter to;

  StockMove(StockCounter from, StockCounter to) {
    this.from = from;
    this.to = to;
  }

  /**
   * Moves {@code quantity} units of product {@code productId} of {@code tenantId}.
   *
   * @return the stock after the move; empty, changing nothing, when the product has no stock row in
   *     the tenant or its {@code from} counter holds fewer than {@code quantity} units
   */
  Optional<StockLevel> apply(
      DSLContext tx, UUID tenantId, UUID productId, long quantity, OffsetDateTime now) {
    return StockStore.move(tx, tenantId, productId, from, to, quantity, now);
  }
}
