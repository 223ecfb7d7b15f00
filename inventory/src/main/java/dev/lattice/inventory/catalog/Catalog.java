package dev.lattice.inventory.catalog;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCTS;
import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import com.google.protobuf.FieldMask;
import dev.lattice.events.v1.Actor;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.stock.StockStore;
import dev.lattice.inventory.store.jooq.tables.records.ProductsRecord;
import dev.lattice.inventory.store.jooq.tables.records.StockRecord;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateProductResponse;
import dev.lattice.inventory.v1.ListProductsRequest;
import dev.lattice.inventory.v1.ListProductsResponse;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductCreated;
import dev.lattice.inventory.v1.ProductDeleted;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The product catalog of a tenant: get, list, create, update, soft delete and batch get. Every
 * change writes its event to the outbox in the same transaction. Thread-safe.
 */
public final class Catalog {

  /** The permission that lets a caller see deleted products. */
  public static final String WRITE_PERMISSION = "inventory.write";

  private final DSLContext dsl;
  private final InventoryEvents events;
  private final PageTokens pageTokens;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Catalog(DSLContext dsl, InventoryEvents events, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.pageTokens = pageTokens;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /** GetProduct: a deleted product only when {@code seeDeleted} (the caller has inventory.write). */
  public Product get(UUID tenantId, UUID productId, boolean seeDeleted) {
    return ProductStore.find(dsl, tenantId, productId)
        .filter(row -> seeDeleted || row.getDeleteTime() == null)
        .map(ProductStore::toProto)
        .orElseThrow(ProductStore::notFound);
  }

  /**
   * ListProducts: ordered by SKU then id, keyset paging on (sku, id).
   *
   * @param mayWrite whether the caller has inventory.write, which show_deleted needs
   */
  public ListProductsResponse list(UUID tenantId, ListProductsRequest request, boolean mayWrite) {
    if (request.getShowDeleted() && !mayWrite) {
      throw new PermissionDeniedException(
          "PERMISSION_DENIED", "show_deleted needs the permission " + WRITE_PERMISSION,
          Map.of("permission", WRITE_PERMISSION));
    }
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint = PageTokens.fingerprint(
        "products", tenantId, request.getSkuPrefix(), request.getNameContains(), request.getShowDeleted());
    List<Condition> where = new ArrayList<>();
    where.add(PRODUCTS.TENANT_ID.eq(tenantId));
    if (!request.getShowDeleted()) {
      where.add(PRODUCTS.DELETE_TIME.isNull());
    }
    if (!request.getSkuPrefix().isEmpty()) {
      where.add(PRODUCTS.SKU.startsWith(request.getSkuPrefix()));
    }
    if (!request.getNameContains().isEmpty()) {
      where.add(PRODUCTS.NAME.containsIgnoreCase(request.getNameContains()));
    }
    pageTokens.decode(request.getPageToken(), fingerprint).ifPresent(cursor -> where.add(
        DSL.row(PRODUCTS.SKU, PRODUCTS.ID).gt(cursor.string(0), UUID.fromString(cursor.string(1)))));
    List<ProductsRecord> rows = dsl.selectFrom(PRODUCTS)
        .where(where)
        .orderBy(PRODUCTS.SKU, PRODUCTS.ID)
        .limit(size + 1)
        .fetch();
    ListProductsResponse.Builder response = ListProductsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addProducts(ProductStore.toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      ProductsRecord last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, last.getSku(), last.getId().toString())));
    }
    return response.build();
  }

  /** CreateProduct: the product at version 1 and its stock (available = initial_stock). */
  public CreateProductResponse create(UUID tenantId, Actor actor, CreateProductRequest request) {
    return Transactions.inTransaction(dsl, tx -> {
      OffsetDateTime now = ProductStore.utc(clock.instant());
      UUID productId = ids.next();
      ProductsRecord product = tx.newRecord(PRODUCTS);
      product.setId(productId);
      product.setTenantId(tenantId);
      product.setSku(request.getSku());
      product.setName(request.getName());
      product.setDescription(request.getDescription());
      product.setPriceAmountMinor(request.getPriceAmountMinor());
      product.setCurrency(request.getCurrency());
      product.setCreateTime(now);
      product.setUpdateTime(now);
      product.setVersion(1L);
      try {
        product.insert();
      } catch (DataAccessException e) {
        throw ProductStore.skuTakenOr(e);
      }
      StockRecord stock = tx.newRecord(STOCK);
      stock.setProductId(productId);
      stock.setTenantId(tenantId);
      stock.setAvailable(request.getInitialStock());
      stock.setReserved(0L);
      stock.setSold(0L);
      stock.setUpdateTime(now);
      stock.setVersion(1L);
      stock.insert();
      Product created = ProductStore.toProto(product);
      events.product(tx, tenantId, productId, product.getVersion(), actor,
          ProductCreated.newBuilder()
              .setProduct(created)
              .setInitialStock(request.getInitialStock())
              .build());
      return CreateProductResponse.newBuilder()
          .setProduct(created)
          .setStock(StockStore.toProto(stock))
          .build();
    });
  }

  /**
   * UpdateProduct: sets the fields named in {@code mask} from {@code values}. A change that leaves
   * every named field as it was changes nothing (no new version, no event).
   */
  public Product update(
      UUID tenantId, Actor actor, UUID productId, long version, Product values, FieldMask mask) {
    return Transactions.inTransaction(dsl, tx -> {
      ProductsRecord product = ProductStore.lockLive(tx, tenantId, productId);
      Versions.require("product", product.getVersion(), version);
      Map<String, Object> requested = new LinkedHashMap<>();
      for (String path : new LinkedHashSet<>(mask.getPathsList())) {
        requested.put(path, switch (path) {
          case "sku" -> values.getSku();
          case "name" -> values.getName();
          case "description" -> values.getDescription();
          case "price_amount_minor" -> values.getPriceAmountMinor();
          case "currency" -> values.getCurrency();
          default -> throw InvalidArgumentException.forField("update_mask", "cannot update " + path);
        });
      }
      Set<String> changed = new LinkedHashSet<>();
      requested.forEach((path, value) -> {
        Object current = switch (path) {
          case "sku" -> product.getSku();
          case "name" -> product.getName();
          case "description" -> product.getDescription();
          case "price_amount_minor" -> product.getPriceAmountMinor();
          default -> product.getCurrency();
        };
        if (!Objects.equals(current, value)) {
          changed.add(path);
        }
      });
      if (changed.isEmpty()) {
        return ProductStore.toProto(product);
      }
      for (String path : changed) {
        Object value = requested.get(path);
        switch (path) {
          case "sku" -> product.setSku((String) value);
          case "name" -> product.setName((String) value);
          case "description" -> product.setDescription((String) value);
          case "price_amount_minor" -> product.setPriceAmountMinor((Long) value);
          default -> product.setCurrency((String) value);
        }
      }
      product.setUpdateTime(ProductStore.utc(clock.instant()));
      product.setVersion(product.getVersion() + 1);
      try {
        product.update();
      } catch (DataAccessException e) {
        throw ProductStore.skuTakenOr(e);
      }
      Product updated = ProductStore.toProto(product);
      events.product(tx, tenantId, productId, product.getVersion(), actor,
          ProductUpdated.newBuilder()
              .setProduct(updated)
              .setChangedFields(FieldMask.newBuilder().addAllPaths(changed))
              .build());
      return updated;
    });
  }

  /** DeleteProduct: soft delete; the SKU becomes free for a new product. */
  public Product delete(UUID tenantId, Actor actor, UUID productId, long version) {
    return Transactions.inTransaction(dsl, tx -> {
      ProductsRecord product = ProductStore.lockLive(tx, tenantId, productId);
      Versions.require("product", product.getVersion(), version);
      OffsetDateTime now = ProductStore.utc(clock.instant());
      product.setDeleteTime(now);
      product.setUpdateTime(now);
      product.setVersion(product.getVersion() + 1);
      product.update(PRODUCTS.DELETE_TIME, PRODUCTS.UPDATE_TIME, PRODUCTS.VERSION);
      events.product(tx, tenantId, productId, product.getVersion(), actor,
          ProductDeleted.newBuilder()
              .setProductId(productId.toString())
              .setSku(product.getSku())
              .setDeleteTime(ProductStore.timestamp(now))
              .build());
      return ProductStore.toProto(product);
    });
  }

  /**
   * BatchGetProducts: the live products in request order, or NOT_FOUND PRODUCT_NOT_FOUND with
   * metadata {@code product_ids} naming every unknown or deleted id.
   */
  public List<Product> batchGet(UUID tenantId, List<UUID> productIds) {
    Map<UUID, ProductsRecord> found = new LinkedHashMap<>();
    dsl.selectFrom(PRODUCTS)
        .where(PRODUCTS.TENANT_ID.eq(tenantId))
        .and(PRODUCTS.ID.in(productIds))
        .and(PRODUCTS.DELETE_TIME.isNull())
        .fetch()
        .forEach(row -> found.put(row.getId(), row));
    List<String> missing = productIds.stream()
        .filter(id -> !found.containsKey(id))
        .map(UUID::toString)
        .toList();
    if (!missing.isEmpty()) {
      throw new NotFoundException(
          ProductStore.PRODUCT_NOT_FOUND, "some products were not found",
          Map.of("product_ids", String.join(",", missing)));
    }
    return productIds.stream().map(found::get).map(ProductStore::toProto).toList();
  }
}
