package dev.lattice.inventory.catalog;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCTS;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.store.jooq.tables.records.ProductsRecord;
import dev.lattice.inventory.v1.Product;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.errors.NotFoundException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** Reads of products shared by the catalog and stock flows, their proto form and their errors. */
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
  public static Optional<ProductsRecord> find(DSLContext ctx, UUID tenantId, UUID productId) {
    return ctx.selectFrom(PRODUCTS)
        .where(PRODUCTS.ID.eq(productId))
        .and(PRODUCTS.TENANT_ID.eq(tenantId))
        .fetchOptional();
  }

  /** The live product {@code productId} of {@code tenantId} locked FOR UPDATE, or NOT_FOUND. */
  public static ProductsRecord lockLive(DSLContext tx, UUID tenantId, UUID productId) {
    return tx.selectFrom(PRODUCTS)
        .where(PRODUCTS.ID.eq(productId))
        .and(PRODUCTS.TENANT_ID.eq(tenantId))
        .and(PRODUCTS.DELETE_TIME.isNull())
        .forUpdate()
        .fetchOptional()
        .orElseThrow(ProductStore::notFound);
  }

  /** NOT_FOUND PRODUCT_NOT_FOUND. */
  public static NotFoundException notFound() {
    return new NotFoundException(PRODUCT_NOT_FOUND, "product not found");
  }

  /** ALREADY_EXISTS SKU_TAKEN when {@code e} violated the live-SKU index; otherwise {@code e}. */
  static RuntimeException skuTakenOr(DataAccessException e) {
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

  /** The proto form of a product. */
  public static Product toProto(ProductsRecord row) {
    Product.Builder product =
        Product.newBuilder()
            .setId(row.getId().toString())
            .setTenantId(row.getTenantId().toString())
            .setSku(row.getSku())
            .setName(row.getName())
            .setDescription(row.getDescription())
            .setPriceAmountMinor(row.getPriceAmountMinor())
            .setCurrency(row.getCurrency())
            .setCreateTime(timestamp(row.getCreateTime()))
            .setUpdateTime(timestamp(row.getUpdateTime()))
            .setVersion(row.getVersion());
    if (row.getDeleteTime() != null) {
      product.setDeleteTime(timestamp(row.getDeleteTime()));
    }
    return product.build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /** The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
  }
}
