package dev.lattice.inventory.store;

import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import dev.lattice.inventory.store.jooq.tables.records.StockRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The stock rows of products, shared by the catalog (a new product's stock) and the stock flows
 * (levels, adjustments and the saga's moves). Every method works in the caller's transaction and
 * filters by tenant. Stateless; thread-safe.
 */
public final class StockStore {

  private StockStore() {}

  /** Inserts {@code stock}, the stock row of a new product. */
  public static void insert(DSLContext tx, StockLevel stock) {
    tx.insertInto(STOCK)
        .set(STOCK.PRODUCT_ID, stock.productId())
        .set(STOCK.TENANT_ID, stock.tenantId())
        .set(STOCK.AVAILABLE, stock.available())
        .set(STOCK.RESERVED, stock.reserved())
        .set(STOCK.SOLD, stock.sold())
        .set(STOCK.UPDATE_TIME, stock.updateTime())
        .set(STOCK.VERSION, stock.version())
        .execute();
  }

  /** The stock of {@code productId} in {@code tenantId}, locked FOR UPDATE when {@code lock}. */
  public static Optional<StockLevel> find(
      DSLContext ctx, UUID tenantId, UUID productId, boolean lock) {
    var query =
        ctx.select(COLUMNS)
            .from(STOCK)
            .where(STOCK.PRODUCT_ID.eq(productId))
            .and(STOCK.TENANT_ID.eq(tenantId));
    return ResultSets.fetch(lock ? query.forUpdate() : query, StockStore::level).stream()
        .findFirst();
  }

  /** The columns {@link #level} reads, in this order. */
  private static final List<Field<?>> COLUMNS =
      List.of(
          STOCK.PRODUCT_ID,
          STOCK.TENANT_ID,
          STOCK.AVAILABLE,
          STOCK.RESERVED,
          STOCK.SOLD,
          STOCK.UPDATE_TIME,
          STOCK.VERSION);

  /**
   * The stock rows of {@code productIds} whose tenant is among {@code tenantIds}, locked FOR UPDATE
   * in product-id order (the order every flow locks stock rows in): what a batch of reservations
   * takes before any of its moves. The caller matches the pairs it asked for.
   */
  public static List<StockLevel> lock(
      DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> productIds) {
    return LOCK.fetch(
        tx,
        StockStore::level,
        (Object) productIds.toArray(UUID[]::new),
        (Object) tenantIds.toArray(UUID[]::new));
  }

  // Every batch of OrderCreated events runs this: its rows are read straight from the result.
  private static final RenderedStatement LOCK =
      RenderedStatement.of(
          DSL.select(COLUMNS)
              .from(STOCK)
              .where(
                  STOCK.PRODUCT_ID.eq(DSL.any(DSL.param("product_ids", SQLDataType.UUID.array()))))
              .and(STOCK.TENANT_ID.eq(DSL.any(DSL.param("tenant_ids", SQLDataType.UUID.array()))))
              .orderBy(STOCK.PRODUCT_ID)
              .forUpdate(),
          "product_ids",
          "tenant_ids");

  /** Writes the available units, update time and version of {@code stock}. */
  public static void updateAvailable(DSLContext tx, StockLevel stock) {
    tx.update(STOCK)
        .set(STOCK.AVAILABLE, stock.available())
        .set(STOCK.UPDATE_TIME, stock.updateTime())
        .set(STOCK.VERSION, stock.version())
        .where(STOCK.PRODUCT_ID.eq(stock.productId()))
        .and(STOCK.TENANT_ID.eq(stock.tenantId()))
        .execute();
  }

  /**
   * Moves {@code quantity} units of product {@code productId} of {@code tenantId} from counter
   * {@code from} to {@code to} and bumps the stock version, in one atomic conditional UPDATE that
   * subtracts only while {@code from} holds enough units. Stock rows are hot, so no flow reads a
   * counter and writes it back: under READ COMMITTED PostgreSQL re-checks {@code from >= n} on the
   * newest row version after waiting for the row lock, so concurrent moves never oversell.
   *
   * @return the stock as the move leaves it (the statement returns it: no read of its own); empty,
   *     changing nothing, when the product has no stock row in the tenant or its {@code from}
   *     counter holds fewer than {@code quantity} units
   */
  public static Optional<StockLevel> move(
      DSLContext tx,
      UUID tenantId,
      UUID productId,
      StockCounter from,
      StockCounter to,
      long quantity,
      OffsetDateTime now) {
    return MOVES
        .get(from)
        .get(to)
        .fetchFirst(tx, StockStore::level, quantity, quantity, now, productId, tenantId, quantity);
  }

  // Every reservation, sale and release runs one of these per line: rendered once per pair.
  private static final Map<StockCounter, Map<StockCounter, RenderedStatement>> MOVES =
      new EnumMap<>(StockCounter.class);

  static {
    for (StockCounter from : StockCounter.values()) {
      Map<StockCounter, RenderedStatement> targets = new EnumMap<>(StockCounter.class);
      for (StockCounter to : StockCounter.values()) {
        if (from != to) {
          targets.put(to, moveStatement(field(from), field(to)));
        }
      }
      MOVES.put(from, targets);
    }
  }

  private static RenderedStatement moveStatement(
      TableField<StockRecord, Long> source, TableField<StockRecord, Long> target) {
    return RenderedStatement.of(
        DSL.update(STOCK)
            .set(source, source.minus(DSL.param("quantity", Long.class)))
            .set(target, target.plus(DSL.param("quantity", Long.class)))
            .set(STOCK.VERSION, STOCK.VERSION.plus(DSL.inline(1L)))
            .set(STOCK.UPDATE_TIME, DSL.param("now", STOCK.UPDATE_TIME))
            .where(STOCK.PRODUCT_ID.eq(DSL.param("product_id", STOCK.PRODUCT_ID)))
            .and(STOCK.TENANT_ID.eq(DSL.param("tenant_id", STOCK.TENANT_ID)))
            .and(source.ge(DSL.param("quantity", Long.class)))
            .returningResult(COLUMNS),
        "quantity",
        "quantity",
        "now",
        "product_id",
        "tenant_id",
        "quantity");
  }

  /** The available units of {@code productId} in {@code tenantId}; 0 without a stock row. */
  public static long available(DSLContext tx, UUID tenantId, UUID productId) {
    Long available =
        tx.select(STOCK.AVAILABLE)
            .from(STOCK)
            .where(STOCK.PRODUCT_ID.eq(productId))
            .and(STOCK.TENANT_ID.eq(tenantId))
            .fetchOne(STOCK.AVAILABLE);
    return available == null ? 0 : available;
  }

  private static TableField<StockRecord, Long> field(StockCounter counter) {
    return switch (counter) {
      case AVAILABLE -> STOCK.AVAILABLE;
      case RESERVED -> STOCK.RESERVED;
      case SOLD -> STOCK.SOLD;
    };
  }

  /** The stock of the current row, whose columns are {@link #COLUMNS}. */
  private static StockLevel level(ResultSet rs) throws SQLException {
    return new StockLevel(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getLong(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getObject(6, OffsetDateTime.class),
        rs.getLong(7));
  }
}
