package dev.lattice.inventory;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.rpc.ErrorInfo;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.AdjustStockRequest;
import dev.lattice.inventory.v1.BatchGetProductsRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateProductResponse;
import dev.lattice.inventory.v1.CreateUploadRequest;
import dev.lattice.inventory.v1.DeleteProductRequest;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.ListProductsRequest;
import dev.lattice.inventory.v1.ListProductsResponse;
import dev.lattice.inventory.v1.MediaVisibility;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductCreated;
import dev.lattice.inventory.v1.ProductDeleted;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockAdjusted;
import dev.lattice.inventory.v1.UpdateProductRequest;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The catalog and stock RPCs against the real inventory service: paging and filters, SKU
 * uniqueness, optimistic versions, soft delete, batch get, stock adjustments, tenancy, permissions,
 * and the events they publish. Every test works in a fresh tenant.
 */
class InventoryCatalogIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static InventoryHarness inventory;
  static EventTap events;

  UUID tenant;
  InventoryServiceBlockingStub staff;
  InventoryServiceBlockingStub customer;

  @BeforeAll
  static void start() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    inventory = InventoryHarness.start(postgres, nats);
  }

  @AfterAll
  static void stop() throws Exception {
    inventory.close();
    events.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff =
        inventory.stub(
            inventory.tokens().token(tenant, "staff", "inventory.read", "inventory.write"));
    customer = inventory.stub(inventory.tokens().token(tenant, "customer", "inventory.read"));
  }

  @Test
  void productMediaAnswersUnimplementedWhereNoStorageOrScannerIsConfigured() {
    Throwable off =
        failure(
            () ->
                staff.createUpload(
                    CreateUploadRequest.newBuilder()
                        .setProductId(UUID.randomUUID().toString())
                        .setFileName("a.png")
                        .setContentType("image/png")
                        .setSizeBytes(10)
                        .setSha256("0".repeat(64))
                        .setVisibility(MediaVisibility.MEDIA_VISIBILITY_PUBLIC)
                        .build()));
    assertThat(code(off)).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(errorInfo(off).getReason()).isEqualTo("MEDIA_NOT_CONFIGURED");
  }

  @Test
  void createGetAndListInPagesWithFilters() {
    List<String> skus = List.of("A-100", "A-200", "A-300", "B-100", "B-200", "B-300", "C-100");
    for (String sku : skus) {
      create(sku, "Widget " + sku, 5);
    }
    CreateProductResponse created =
        staff.createProduct(
            CreateProductRequest.newBuilder()
                .setSku("D-1")
                .setName("Blue Teapot")
                .setDescription("porcelain")
                .setPriceAmountMinor(2599)
                .setCurrency("EUR")
                .setInitialStock(12)
                .build());
    Product product = created.getProduct();
    assertThat(product.getTenantId()).isEqualTo(tenant.toString());
    assertThat(product.getVersion()).isEqualTo(1);
    assertThat(product.hasDeleteTime()).isFalse();
    assertThat(created.getStock().getAvailable()).isEqualTo(12);
    assertThat(created.getStock().getVersion()).isEqualTo(1);
    assertThat(
            customer
                .getProduct(GetProductRequest.newBuilder().setProductId(product.getId()).build())
                .getProduct())
        .isEqualTo(product);

    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListProductsResponse page =
          customer.listProducts(
              ListProductsRequest.newBuilder().setPageSize(3).setPageToken(token).build());
      assertThat(page.getProductsCount()).isLessThanOrEqualTo(3);
      page.getProductsList().forEach(p -> seen.add(p.getSku()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen)
        .containsExactly("A-100", "A-200", "A-300", "B-100", "B-200", "B-300", "C-100", "D-1");

    ListProductsResponse bPrefix =
        customer.listProducts(
            ListProductsRequest.newBuilder().setSkuPrefix("B-").setPageSize(2).build());
    assertThat(bPrefix.getProductsList())
        .extracting(Product::getSku)
        .containsExactly("B-100", "B-200");
    ListProductsResponse bRest =
        customer.listProducts(
            ListProductsRequest.newBuilder()
                .setSkuPrefix("B-")
                .setPageSize(2)
                .setPageToken(bPrefix.getNextPageToken())
                .build());
    assertThat(bRest.getProductsList()).extracting(Product::getSku).containsExactly("B-300");
    assertThat(bRest.getNextPageToken()).isEmpty();
    assertThat(
            customer
                .listProducts(ListProductsRequest.newBuilder().setSkuPrefix("b-").build())
                .getProductsList())
        .isEmpty();
    assertThat(
            customer
                .listProducts(ListProductsRequest.newBuilder().setNameContains("TEAPOT").build())
                .getProductsList())
        .extracting(Product::getSku)
        .containsExactly("D-1");
    assertThat(
            customer
                .listProducts(
                    ListProductsRequest.newBuilder()
                        .setSkuPrefix("A")
                        .setNameContains("widget a-2")
                        .build())
                .getProductsList())
        .extracting(Product::getSku)
        .containsExactly("A-200");

    StatusRuntimeException changedFilter =
        failure(
            () ->
                customer.listProducts(
                    ListProductsRequest.newBuilder()
                        .setSkuPrefix("A-")
                        .setPageSize(2)
                        .setPageToken(bPrefix.getNextPageToken())
                        .build()));
    assertThat(code(changedFilter)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(changedFilter).getReason()).isEqualTo("PAGE_TOKEN_INVALID");

    Envelope event =
        events.await(ProductCreated.class, e -> e.getProduct().getId().equals(product.getId()));
    assertThat(event.getType()).isEqualTo("lattice.inventory.product_created");
    assertThat(event.getTenantId()).isEqualTo(tenant.toString());
    assertThat(event.getAggregateType()).isEqualTo("product");
    assertThat(event.getAggregateVersion()).isEqualTo(1);
    assertThat(EventTap.unpack(event, ProductCreated.class).getInitialStock()).isEqualTo(12);
  }

  @Test
  void duplicateSkuIsAlreadyExistsUntilTheHolderIsDeleted() {
    Product first = create("SKU-1", "First", 0);
    StatusRuntimeException duplicate = failure(() -> create("SKU-1", "Second", 3));
    assertThat(code(duplicate)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(errorInfo(duplicate).getReason()).isEqualTo("SKU_TAKEN");
    assertThat(inventory.sqlLong("select count(*) from products where tenant_id = ?", tenant))
        .isEqualTo(1);
    assertThat(inventory.sqlLong("select count(*) from stock where tenant_id = ?", tenant))
        .isEqualTo(1);

    UUID otherTenant = UUID.randomUUID();
    InventoryServiceBlockingStub otherStaff =
        inventory.stub(
            inventory.tokens().token(otherTenant, "staff", "inventory.read", "inventory.write"));
    assertThat(otherStaff.createProduct(request("SKU-1", "Elsewhere", 0)).getProduct().getSku())
        .isEqualTo("SKU-1");

    Product second = create("SKU-2", "Second", 0);
    StatusRuntimeException renamed =
        failure(
            () ->
                staff.updateProduct(
                    UpdateProductRequest.newBuilder()
                        .setProductId(second.getId())
                        .setVersion(1)
                        .setProduct(Product.newBuilder().setSku("SKU-1"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("sku"))
                        .build()));
    assertThat(code(renamed)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(errorInfo(renamed).getReason()).isEqualTo("SKU_TAKEN");

    staff.deleteProduct(
        DeleteProductRequest.newBuilder().setProductId(first.getId()).setVersion(1).build());
    Product reused = create("SKU-1", "Reused", 0);
    assertThat(reused.getId()).isNotEqualTo(first.getId());
  }

  @Test
  void updateHonoursTheMaskAndTheVersion() {
    Product product =
        staff
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("MUG-1")
                    .setName("Mug")
                    .setDescription("stoneware")
                    .setPriceAmountMinor(900)
                    .setCurrency("EUR")
                    .build())
            .getProduct();

    Product updated =
        staff
            .updateProduct(
                UpdateProductRequest.newBuilder()
                    .setProductId(product.getId())
                    .setVersion(1)
                    .setProduct(
                        Product.newBuilder()
                            .setSku("IGNORED-SKU")
                            .setName("Big mug")
                            .setDescription("")
                            .setPriceAmountMinor(1200)
                            .setCurrency("USD"))
                    .setUpdateMask(
                        FieldMask.newBuilder().addPaths("name").addPaths("price_amount_minor"))
                    .build())
            .getProduct();
    assertThat(updated.getName()).isEqualTo("Big mug");
    assertThat(updated.getPriceAmountMinor()).isEqualTo(1200);
    assertThat(updated.getSku()).isEqualTo("MUG-1");
    assertThat(updated.getDescription()).isEqualTo("stoneware");
    assertThat(updated.getCurrency()).isEqualTo("EUR");
    assertThat(updated.getVersion()).isEqualTo(2);
    assertThat(
            staff
                .getProduct(GetProductRequest.newBuilder().setProductId(product.getId()).build())
                .getProduct())
        .isEqualTo(updated);

    StatusRuntimeException stale =
        failure(
            () ->
                staff.updateProduct(
                    UpdateProductRequest.newBuilder()
                        .setProductId(product.getId())
                        .setVersion(1)
                        .setProduct(Product.newBuilder().setName("Lost update"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("name"))
                        .build()));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    ErrorInfo info = errorInfo(stale);
    assertThat(info.getReason()).isEqualTo("VERSION_MISMATCH");
    assertThat(info.getMetadataMap()).containsEntry("currentVersion", "2");
    assertThat(
            staff
                .getProduct(GetProductRequest.newBuilder().setProductId(product.getId()).build())
                .getProduct()
                .getName())
        .isEqualTo("Big mug");

    Envelope event =
        events.await(ProductUpdated.class, e -> e.getProduct().getId().equals(product.getId()));
    assertThat(event.getAggregateVersion()).isEqualTo(2);
    assertThat(EventTap.unpack(event, ProductUpdated.class).getChangedFields().getPathsList())
        .containsExactly("name", "price_amount_minor");

    StatusRuntimeException invalid =
        failure(
            () ->
                staff.updateProduct(
                    UpdateProductRequest.newBuilder()
                        .setProductId(product.getId())
                        .setVersion(2)
                        .setProduct(Product.newBuilder().setCurrency("eur"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("currency"))
                        .build()));
    assertThat(code(invalid)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void deletedProductsAreHiddenExceptFromWriters() {
    Product product = create("LAMP-1", "Lamp", 4);
    create("LAMP-2", "Other lamp", 0);
    GetProductRequest get = GetProductRequest.newBuilder().setProductId(product.getId()).build();

    StatusRuntimeException stale =
        failure(
            () ->
                staff.deleteProduct(
                    DeleteProductRequest.newBuilder()
                        .setProductId(product.getId())
                        .setVersion(7)
                        .build()));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    assertThat(errorInfo(stale).getReason()).isEqualTo("VERSION_MISMATCH");

    Product deleted =
        staff
            .deleteProduct(
                DeleteProductRequest.newBuilder()
                    .setProductId(product.getId())
                    .setVersion(1)
                    .build())
            .getProduct();
    assertThat(deleted.hasDeleteTime()).isTrue();
    assertThat(deleted.getVersion()).isEqualTo(2);

    StatusRuntimeException hidden = failure(() -> customer.getProduct(get));
    assertThat(code(hidden)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(hidden).getReason()).isEqualTo("PRODUCT_NOT_FOUND");
    assertThat(staff.getProduct(get).getProduct()).isEqualTo(deleted);
    assertThat(
            code(
                failure(
                    () ->
                        customer.getStock(
                            GetStockRequest.newBuilder().setProductId(product.getId()).build()))))
        .isEqualTo(Status.Code.NOT_FOUND);

    assertThat(staff.listProducts(ListProductsRequest.getDefaultInstance()).getProductsList())
        .extracting(Product::getSku)
        .containsExactly("LAMP-2");
    assertThat(
            staff
                .listProducts(ListProductsRequest.newBuilder().setShowDeleted(true).build())
                .getProductsList())
        .extracting(Product::getSku)
        .containsExactly("LAMP-1", "LAMP-2");
    StatusRuntimeException denied =
        failure(
            () ->
                customer.listProducts(
                    ListProductsRequest.newBuilder().setShowDeleted(true).build()));
    assertThat(code(denied)).isEqualTo(Status.Code.PERMISSION_DENIED);

    StatusRuntimeException again =
        failure(
            () ->
                staff.deleteProduct(
                    DeleteProductRequest.newBuilder()
                        .setProductId(product.getId())
                        .setVersion(2)
                        .build()));
    assertThat(code(again)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(again).getReason()).isEqualTo("PRODUCT_NOT_FOUND");
    StatusRuntimeException update =
        failure(
            () ->
                staff.updateProduct(
                    UpdateProductRequest.newBuilder()
                        .setProductId(product.getId())
                        .setVersion(2)
                        .setProduct(Product.newBuilder().setName("Back"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("name"))
                        .build()));
    assertThat(code(update)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(update).getReason()).isEqualTo("PRODUCT_NOT_FOUND");

    Envelope event =
        events.await(ProductDeleted.class, e -> e.getProductId().equals(product.getId()));
    assertThat(event.getAggregateVersion()).isEqualTo(2);
    ProductDeleted payload = EventTap.unpack(event, ProductDeleted.class);
    assertThat(payload.getSku()).isEqualTo("LAMP-1");
    assertThat(payload.getDeleteTime()).isEqualTo(deleted.getDeleteTime());
  }

  @Test
  void batchGetIsInRequestOrderAndAllOrNothing() {
    Product a = create("BG-A", "A", 0);
    Product b = create("BG-B", "B", 0);
    Product c = create("BG-C", "C", 0);
    assertThat(
            customer
                .batchGetProducts(
                    BatchGetProductsRequest.newBuilder()
                        .addProductIds(c.getId())
                        .addProductIds(a.getId())
                        .addProductIds(b.getId())
                        .build())
                .getProductsList())
        .containsExactly(c, a, b);

    staff.deleteProduct(
        DeleteProductRequest.newBuilder().setProductId(b.getId()).setVersion(1).build());
    String unknown = UUID.randomUUID().toString();
    StatusRuntimeException missing =
        failure(
            () ->
                staff.batchGetProducts(
                    BatchGetProductsRequest.newBuilder()
                        .addProductIds(a.getId())
                        .addProductIds(b.getId())
                        .addProductIds(unknown)
                        .build()));
    assertThat(code(missing)).isEqualTo(Status.Code.NOT_FOUND);
    ErrorInfo info = errorInfo(missing);
    assertThat(info.getReason()).isEqualTo("PRODUCT_NOT_FOUND");
    assertThat(info.getMetadataMap()).containsEntry("product_ids", b.getId() + "," + unknown);
  }

  @Test
  void adjustStockChecksTheVersionAndNeverGoesNegative() {
    Product product = create("BOX-1", "Box", 5);
    GetStockRequest get = GetStockRequest.newBuilder().setProductId(product.getId()).build();
    Stock stock = customer.getStock(get).getStock();
    assertThat(stock.getAvailable()).isEqualTo(5);
    assertThat(stock.getVersion()).isEqualTo(1);

    Stock added = staff.adjustStock(adjust(product, 1, 10, "delivery 2024-118")).getStock();
    assertThat(added.getAvailable()).isEqualTo(15);
    assertThat(added.getReserved()).isZero();
    assertThat(added.getSold()).isZero();
    assertThat(added.getVersion()).isEqualTo(2);
    assertThat(customer.getStock(get).getStock()).isEqualTo(added);

    StatusRuntimeException stale =
        failure(() -> staff.adjustStock(adjust(product, 1, 1, "recount")));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    assertThat(errorInfo(stale).getReason()).isEqualTo("VERSION_MISMATCH");
    assertThat(errorInfo(stale).getMetadataMap()).containsEntry("currentVersion", "2");

    StatusRuntimeException negative =
        failure(() -> staff.adjustStock(adjust(product, 2, -16, "damaged")));
    assertThat(code(negative)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(negative).getReason()).isEqualTo("INSUFFICIENT_STOCK");
    assertThat(errorInfo(negative).getMetadataMap()).containsEntry("available", "15");
    assertThat(customer.getStock(get).getStock()).isEqualTo(added);

    Stock emptied = staff.adjustStock(adjust(product, 2, -15, "damaged")).getStock();
    assertThat(emptied.getAvailable()).isZero();
    assertThat(emptied.getVersion()).isEqualTo(3);

    assertThat(code(failure(() -> customer.adjustStock(adjust(product, 3, 1, "customer")))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    Envelope event =
        events.await(
            StockAdjusted.class,
            e -> e.getProductId().equals(product.getId()) && e.getDelta() == -15);
    assertThat(event.getType()).isEqualTo("lattice.inventory.stock_adjusted");
    assertThat(event.getAggregateType()).isEqualTo("stock");
    assertThat(event.getAggregateId()).isEqualTo(product.getId());
    assertThat(event.getAggregateVersion()).isEqualTo(3);
    StockAdjusted payload = EventTap.unpack(event, StockAdjusted.class);
    assertThat(payload.getReason()).isEqualTo("damaged");
    assertThat(payload.getStock()).isEqualTo(emptied);
    assertThat(events.all(StockAdjusted.class, e -> e.getProductId().equals(product.getId())))
        .hasSize(2);
  }

  @Test
  void anotherTenantsProductIsNotFound() {
    Product product = create("SECRET-1", "Secret", 3);
    InventoryServiceBlockingStub intruder =
        inventory.stub(
            inventory
                .tokens()
                .token(UUID.randomUUID(), "staff", "inventory.read", "inventory.write"));
    String id = product.getId();
    List<StatusRuntimeException> failures =
        List.of(
            failure(
                () -> intruder.getProduct(GetProductRequest.newBuilder().setProductId(id).build())),
            failure(() -> intruder.getStock(GetStockRequest.newBuilder().setProductId(id).build())),
            failure(
                () ->
                    intruder.batchGetProducts(
                        BatchGetProductsRequest.newBuilder().addProductIds(id).build())),
            failure(
                () ->
                    intruder.updateProduct(
                        UpdateProductRequest.newBuilder()
                            .setProductId(id)
                            .setVersion(1)
                            .setProduct(Product.newBuilder().setName("Mine"))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("name"))
                            .build())),
            failure(
                () ->
                    intruder.deleteProduct(
                        DeleteProductRequest.newBuilder().setProductId(id).setVersion(1).build())),
            failure(() -> intruder.adjustStock(adjust(product, 1, 5, "theft"))));
    for (StatusRuntimeException e : failures) {
      assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(errorInfo(e).getReason()).isEqualTo("PRODUCT_NOT_FOUND");
    }
    assertThat(
            intruder
                .listProducts(ListProductsRequest.newBuilder().setShowDeleted(true).build())
                .getProductsList())
        .isEmpty();
    assertThat(
            staff.getProduct(GetProductRequest.newBuilder().setProductId(id).build()).getProduct())
        .isEqualTo(product);
  }

  @Test
  void customerCannotCreateProducts() {
    StatusRuntimeException denied =
        failure(() -> customer.createProduct(request("NOPE-1", "Nope", 0)));
    assertThat(code(denied)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(errorInfo(denied).getReason()).isEqualTo("PERMISSION_DENIED");
    assertThat(inventory.sqlLong("select count(*) from products where tenant_id = ?", tenant))
        .isZero();
  }

  private Product create(String sku, String name, long initialStock) {
    return staff.createProduct(request(sku, name, initialStock)).getProduct();
  }

  private static CreateProductRequest request(String sku, String name, long initialStock) {
    return CreateProductRequest.newBuilder()
        .setSku(sku)
        .setName(name)
        .setPriceAmountMinor(1000)
        .setCurrency("EUR")
        .setInitialStock(initialStock)
        .build();
  }

  private static AdjustStockRequest adjust(
      Product product, long version, long delta, String reason) {
    return AdjustStockRequest.newBuilder()
        .setProductId(product.getId())
        .setVersion(version)
        .setDelta(delta)
        .setReason(reason)
        .build();
  }
}
