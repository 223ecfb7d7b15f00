package dev.lattice.inventory.stock;

import dev.lattice.events.v1.Actor;
import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.store.StockStore;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockAdjusted;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.Versions;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Stock levels of a tenant's products as staff see and adjust them (GetStock, AdjustStock).
 * Reservations move units by events elsewhere. Thread-safe.
 */
public final class StockLevels {

  /** ErrorInfo reason of an adjustment that would make available negative. */
  public static final String INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK";

  private final DSLContext dsl;
  private final InventoryEvents events;
  private final Clock clock;

  public StockLevels(DSLContext dsl, InventoryEvents events, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.clock = clock;
  }

  /**
   * GetStock: the stock of a product of {@code tenantId}; of a deleted product only when {@code
   * seeDeleted} (the caller has inventory.write), like GetProduct.
   */
  public Stock get(UUID tenantId, UUID productId, boolean seeDeleted) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductStore.find(tx, tenantId, productId)
              .filter(row -> seeDeleted || !row.deleted())
              .orElseThrow(ProductStore::notFound);
          return stockOf(tx, tenantId, productId, false).toProto();
        });
  }

  /**
   * AdjustStock: adds {@code delta} to available at stock {@code version}. Deleted products are
   * NOT_FOUND, as for the other changes of a product.
   */
  public Stock adjust(
      UUID tenantId, Actor actor, UUID productId, long version, long delta, String reason) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductStore.lockLive(tx, tenantId, productId);
          StockLevel stock = stockOf(tx, tenantId, productId, true);
          Versions.require("stock", stock.version(), version);
          long available = stock.available();
          if (available + delta < 0) {
            throw new FailedPreconditionException(
                INSUFFICIENT_STOCK,
                "the adjustment would make available stock negative",
                Map.of("available", Long.toString(available)));
          }
          StockLevel next =
              stock.withAvailable(available + delta, ProductStore.utc(clock.instant()));
          StockStore.updateAvailable(tx, next);
          Stock adjusted = next.toProto();
          events.stock(
              tx,
              tenantId,
              productId,
              next.version(),
              actor,
              StockAdjusted.newBuilder()
                  .setProductId(productId.toString())
                  .setDelta(delta)
                  .setReason(reason)
                  .setStock(adjusted)
                  .build());
          return adjusted;
        });
  }

  private static StockLevel stockOf(DSLContext ctx, UUID tenantId, UUID productId, boolean lock) {
    return StockStore.find(ctx, tenantId, productId, lock).orElseThrow(ProductStore::notFound);
  }
}
