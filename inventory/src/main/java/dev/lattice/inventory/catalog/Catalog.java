package dev.lattice.inventory.catalog;

import com.google.protobuf.FieldMask;
import dev.lattice.events.v1.Actor;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.store.StockStore;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateProductResponse;
import dev.lattice.inventory.v1.ListProductsRequest;
import dev.lattice.inventory.v1.ListProductsResponse;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductCreated;
import dev.lattice.inventory.v1.ProductDeleted;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

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

  /**
   * GetProduct: a deleted product only when {@code seeDeleted} (the caller has inventory.write).
   */
  public Product get(UUID tenantId, UUID productId, boolean seeDeleted) {
    return Transactions.inTenantTransaction(
            dsl, tenantId, tx -> ProductStore.find(tx, tenantId, productId))
        .filter(row -> seeDeleted || !row.deleted())
        .map(ProductRow::toProto)
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
          "PERMISSION_DENIED",
          "show_deleted needs the permission " + WRITE_PERMISSION,
          Map.of("permission", WRITE_PERMISSION));
    }
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint(
            "products",
            tenantId,
            request.getSkuPrefix(),
            request.getNameContains(),
            request.getShowDeleted());
    Optional<ProductQuery.After> after =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(
                cursor ->
                    new ProductQuery.After(cursor.string(0), UUID.fromString(cursor.string(1))));
    ProductQuery query =
        new ProductQuery(
            tenantId,
            request.getSkuPrefix(),
            request.getNameContains(),
            request.getShowDeleted(),
            after,
            size + 1);
    List<ProductRow> rows =
        Transactions.inTenantTransaction(dsl, tenantId, tx -> ProductStore.page(tx, query));
    ListProductsResponse.Builder response = ListProductsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addProducts(rows.get(i).toProto());
    }
    if (rows.size() > size) {
      ProductRow last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, last.sku(), last.id().toString())));
    }
    return response.build();
  }

  /** CreateProduct: the product at version 1 and its stock (available = initial_stock). */
  public CreateProductResponse create(UUID tenantId, Actor actor, CreateProductRequest request) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          OffsetDateTime now = ProductStore.utc(clock.instant());
          UUID productId = ids.next();
          ProductRow product =
              new ProductRow(
                  productId,
                  tenantId,
                  request.getSku(),
                  request.getName(),
                  request.getDescription(),
                  request.getPriceAmountMinor(),
                  request.getCurrency(),
                  now,
                  now,
                  null,
                  1L);
          ProductStore.insert(tx, product);
          StockLevel stock =
              StockLevel.initial(productId, tenantId, request.getInitialStock(), now);
          StockStore.insert(tx, stock);
          Product created = product.toProto();
          events.product(
              tx,
              tenantId,
              productId,
              product.version(),
              actor,
              ProductCreated.newBuilder()
                  .setProduct(created)
                  .setInitialStock(request.getInitialStock())
                  .build());
          return CreateProductResponse.newBuilder()
              .setProduct(created)
              .setStock(stock.toProto())
              .build();
        });
  }

  /**
   * UpdateProduct: sets the fields named in {@code mask} from {@code values}. A change that leaves
   * every named field as it was changes nothing (no new version, no event).
   */
  public Product update(
      UUID tenantId, Actor actor, UUID productId, long version, Product values, FieldMask mask) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductRow product = ProductStore.lockLive(tx, tenantId, productId);
          Versions.require("product", product.version(), version);
          Map<String, Object> requested = new LinkedHashMap<>();
          for (String path : new LinkedHashSet<>(mask.getPathsList())) {
            requested.put(path, ProductRow.requested(path, values));
          }
          Set<String> changed = new LinkedHashSet<>();
          requested.forEach(
              (path, value) -> {
                if (!Objects.equals(product.field(path), value)) {
                  changed.add(path);
                }
              });
          if (changed.isEmpty()) {
            return product.toProto();
          }
          ProductRow next = product;
          for (String path : changed) {
            next = next.with(path, requested.get(path));
          }
          ProductRow stored = next.changedAt(ProductStore.utc(clock.instant()), null);
          ProductStore.update(tx, stored);
          Product updated = stored.toProto();
          events.product(
              tx,
              tenantId,
              productId,
              stored.version(),
              actor,
              ProductUpdated.newBuilder()
                  .setProduct(updated)
                  .setChangedFields(FieldMask.newBuilder().addAllPaths(changed))
                  .build());
          return updated;
        });
  }

  /** DeleteProduct: soft delete; the SKU becomes free for a new product. */
  public Product delete(UUID tenantId, Actor actor, UUID productId, long version) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductRow product = ProductStore.lockLive(tx, tenantId, productId);
          Versions.require("product", product.version(), version);
          OffsetDateTime now = ProductStore.utc(clock.instant());
          ProductRow deleted = product.changedAt(now, now);
          ProductStore.markDeleted(tx, deleted);
          events.product(
              tx,
              tenantId,
              productId,
              deleted.version(),
              actor,
              ProductDeleted.newBuilder()
                  .setProductId(productId.toString())
                  .setSku(deleted.sku())
                  .setDeleteTime(ProductStore.timestamp(now))
                  .build());
          return deleted.toProto();
        });
  }

  /**
   * BatchGetProducts: the live products in request order, or NOT_FOUND PRODUCT_NOT_FOUND with
   * metadata {@code product_ids} naming every unknown or deleted id.
   */
  public List<Product> batchGet(UUID tenantId, List<UUID> productIds) {
    Map<UUID, ProductRow> found = new LinkedHashMap<>();
    ProductStore.findLive(dsl, tenantId, productIds).forEach(row -> found.put(row.id(), row));
    List<String> missing =
        productIds.stream().filter(id -> !found.containsKey(id)).map(UUID::toString).toList();
    if (!missing.isEmpty()) {
      throw new NotFoundException(
          ProductStore.PRODUCT_NOT_FOUND,
          "some products were not found",
          Map.of("product_ids", String.join(",", missing)));
    }
    return productIds.stream().map(found::get).map(ProductRow::toProto).toList();
  }
}
