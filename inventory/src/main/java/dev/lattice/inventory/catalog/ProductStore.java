package dev.lattice.inventory.catalog;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCTS;

import com.google.protobuf.Timestamp;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.errors.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The products table, read by the catalog and the stock flows: products as {@link ProductRow}s,
 * their errors and their times. Every method filters by tenant. Stateless; thread-safe.
 */
public final class ProductStore {

  /** ErrorInfo reason of an unknown product, one of another tenant, or a hidden deleted one. */
  public static final String PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND";

  /** ErrorInfo reason of a SKU held by another live product of the tenant. */
  public static final String SKU_TAKEN = "SKU_TAKEN";

  /** The partial unique index that keeps SKUs unique among a tenant's live products. */
  static final String SKU_LIVE_INDEX = "products_tenant_sku_live_key";

  private static final String UNIQUE_VIOLATION = "23505";

  private ProductStore() {}

  /** The product {@code productId} of {@code tenantId}, deleted or not. */
  public static Optional<ProductRow> find(DSLContext ctx, UUID tenantId, UUID productId) {
    return ResultSets.fetch(
            ctx.select(COLUMNS)
                .from(PRODUCTS)
                .where(PRODUCTS.ID.eq(productId))
                .and(PRODUCTS.TENANT_ID.eq(tenantId)),
            ProductStore::row)
        .stream()
        .findFirst();
  }

  /** The live product {@code productId} of {@code tenantId} locked FOR UPDATE, or NOT_FOUND. */
  public static ProductRow lockLive(DSLContext tx, UUID tenantId, UUID productId) {
    return ResultSets.fetch(
            tx.select(COLUMNS)
                .from(PRODUCTS)
                .where(PRODUCTS.ID.eq(productId))
                .and(PRODUCTS.TENANT_ID.eq(tenantId))
                .and(PRODUCTS.DELETE_TIME.isNull())
                .forUpdate(),
            ProductStore::row)
        .stream()
        .findFirst()
        .orElseThrow(ProductStore::notFound);
  }

  /**
   * The live products among {@code productIds} whose tenant is among {@code tenantIds}, as product
   * id to tenant id, each with a KEY SHARE lock taken in product-id order, so that a concurrent
   * delete (which locks the product FOR UPDATE) waits for this transaction and a reservation never
   * holds a product deleted before it committed. The caller matches the pairs it asked for: a
   * product of another of the tenants is locked, not served.
   */
  public static Map<UUID, UUID> lockLive(
      DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> productIds) {
    Map<UUID, UUID> live = new HashMap<>();
    LOCK_LIVE.fetch(
        tx,
        rs -> live.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)),
        (Object) productIds.toArray(UUID[]::new),
        (Object) tenantIds.toArray(UUID[]::new));
    return live;
  }

  private static final RenderedStatement LOCK_LIVE =
      RenderedStatement.of(
          DSL.select(PRODUCTS.ID, PRODUCTS.TENANT_ID)
              .from(PRODUCTS)
              .where(PRODUCTS.ID.eq(DSL.any(DSL.param("product_ids", SQLDataType.UUID.array()))))
              .and(
                  PRODUCTS.TENANT_ID.eq(DSL.any(DSL.param("tenant_ids", SQLDataType.UUID.array()))))
              .and(PRODUCTS.DELETE_TIME.isNull())
              .orderBy(PRODUCTS.ID)
              .forKeyShare(),
          "product_ids",
          "tenant_ids");

  /**
   * The live products among {@code productIds} of {@code tenantId}, in no particular order, read as
   * that tenant under row-level security in the query's own round trip (decision 0018).
   */
  static List<ProductRow> findLive(DSLContext ctx, UUID tenantId, Collection<UUID> productIds) {
    return FIND_LIVE.fetchAsTenant(
        ctx, tenantId, ProductStore::row, tenantId, productIds.toArray(UUID[]::new));
  }

  /** The columns {@link #row} reads, in this order. */
  private static final List<Field<?>> COLUMNS =
      List.of(
          PRODUCTS.ID,
          PRODUCTS.TENANT_ID,
          PRODUCTS.SKU,
          PRODUCTS.NAME,
          PRODUCTS.DESCRIPTION,
          PRODUCTS.PRICE_AMOUNT_MINOR,
          PRODUCTS.CURRENCY,
          PRODUCTS.CREATE_TIME,
          PRODUCTS.UPDATE_TIME,
          PRODUCTS.DELETE_TIME,
          PRODUCTS.VERSION);

  // Every CreateOrder asks for its products' prices: in a profile of CreateOrder this select,
  // built, rendered (one bind marker per id, so new SQL text per list length) and mapped through
  // jOOQ's records on every call, was 12% of the samples. Rendered once, the ids one array.
  private static final RenderedStatement FIND_LIVE =
      RenderedStatement.of(
          DSL.select(COLUMNS)
              .from(PRODUCTS)
              .where(PRODUCTS.TENANT_ID.eq(DSL.param("tenant_id", PRODUCTS.TENANT_ID)))
              .and(PRODUCTS.ID.eq(DSL.any(DSL.param("product_ids", SQLDataType.UUID.array()))))
              .and(PRODUCTS.DELETE_TIME.isNull()),
          "tenant_id",
          "product_ids");

  /** The products {@code query} selects, ordered by SKU then id, at most its limit. */
  static List<ProductRow> page(DSLContext ctx, ProductQuery query) {
    List<Condition> where = new ArrayList<>();
    where.add(PRODUCTS.TENANT_ID.eq(query.tenantId()));
    if (!query.showDeleted()) {
      where.add(PRODUCTS.DELETE_TIME.isNull());
    }
    if (!query.skuPrefix().isEmpty()) {
      where.add(PRODUCTS.SKU.startsWith(query.skuPrefix()));
    }
    if (!query.nameContains().isEmpty()) {
      where.add(PRODUCTS.NAME.containsIgnoreCase(query.nameContains()));
    }
    query
        .after()
        .ifPresent(
            after -> where.add(DSL.row(PRODUCTS.SKU, PRODUCTS.ID).gt(after.sku(), after.id())));
    return ResultSets.fetch(
        ctx.select(COLUMNS)
            .from(PRODUCTS)
            .where(where)
            .orderBy(PRODUCTS.SKU, PRODUCTS.ID)
            .limit(query.limit()),
        ProductStore::row);
  }

  /**
   * Inserts {@code product}; ALREADY_EXISTS SKU_TAKEN when a live product of the tenant has its
   * SKU.
   */
  static void insert(DSLContext tx, ProductRow product) {
    try {
      tx.insertInto(PRODUCTS)
          .set(PRODUCTS.ID, product.id())
          .set(PRODUCTS.TENANT_ID, product.tenantId())
          .set(PRODUCTS.SKU, product.sku())
          .set(PRODUCTS.NAME, product.name())
          .set(PRODUCTS.DESCRIPTION, product.description())
          .set(PRODUCTS.PRICE_AMOUNT_MINOR, product.priceAmountMinor())
          .set(PRODUCTS.CURRENCY, product.currency())
          .set(PRODUCTS.CREATE_TIME, product.createTime())
          .set(PRODUCTS.UPDATE_TIME, product.updateTime())
          .set(PRODUCTS.VERSION, product.version())
          .execute();
    } catch (DataAccessException e) {
      throw skuTakenOr(e);
    }
  }

  /**
   * Writes the editable fields, update time and version of {@code product}; ALREADY_EXISTS
   * SKU_TAKEN when a live product of the tenant has its new SKU.
   */
  static void update(DSLContext tx, ProductRow product) {
    try {
      tx.update(PRODUCTS)
          .set(PRODUCTS.SKU, product.sku())
          .set(PRODUCTS.NAME, product.name())
          .set(PRODUCTS.DESCRIPTION, product.description())
          .set(PRODUCTS.PRICE_AMOUNT_MINOR, product.priceAmountMinor())
          .set(PRODUCTS.CURRENCY, product.currency())
          .set(PRODUCTS.UPDATE_TIME, product.updateTime())
          .set(PRODUCTS.VERSION, product.version())
          .where(PRODUCTS.ID.eq(product.id()))
          .and(PRODUCTS.TENANT_ID.eq(product.tenantId()))
          .execute();
    } catch (DataAccessException e) {
      throw skuTakenOr(e);
    }
  }

  /** Writes the delete time, update time and version of {@code product}, soft deleting it. */
  static void markDeleted(DSLContext tx, ProductRow product) {
    tx.update(PRODUCTS)
        .set(PRODUCTS.DELETE_TIME, product.deleteTime())
        .set(PRODUCTS.UPDATE_TIME, product.updateTime())
        .set(PRODUCTS.VERSION, product.version())
        .where(PRODUCTS.ID.eq(product.id()))
        .and(PRODUCTS.TENANT_ID.eq(product.tenantId()))
        .execute();
  }

  /** NOT_FOUND PRODUCT_NOT_FOUND. */
  public static NotFoundException notFound() {
    return new NotFoundException(PRODUCT_NOT_FOUND, "product not found");
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /** The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(
        instant.truncatedTo(java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /** ALREADY_EXISTS SKU_TAKEN when {@code e} violated the live-SKU index; otherwise {@code e}. */
  private static RuntimeException skuTakenOr(DataAccessException e) {
    if (UNIQUE_VIOLATION.equals(e.sqlState()) && SKU_LIVE_INDEX.equals(violatedConstraint(e))) {
      return new AlreadyExistsException(SKU_TAKEN, "another product of the tenant has this SKU");
    }
    return e;
  }

  /** The constraint PostgreSQL names in the error, from the driver's structured server message. */
  private static String violatedConstraint(DataAccessException e) {
    org.postgresql.util.PSQLException cause = e.getCause(org.postgresql.util.PSQLException.class);
    return cause == null || cause.getServerErrorMessage() == null
        ? null
        : cause.getServerErrorMessage().getConstraint();
  }

  /** The product of the current row, whose columns are {@link #COLUMNS}. */
  private static ProductRow row(ResultSet rs) throws SQLException {
    return new ProductRow(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getLong(6),
        rs.getString(7),
        rs.getObject(8, OffsetDateTime.class),
        rs.getObject(9, OffsetDateTime.class),
        rs.getObject(10, OffsetDateTime.class),
        rs.getLong(11));
  }
}
