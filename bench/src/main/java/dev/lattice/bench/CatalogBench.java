package dev.lattice.bench;

import com.google.common.util.concurrent.ListenableFuture;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateUploadRequest;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.MediaVisibility;
import dev.lattice.inventory.v1.ProductSearchSort;
import dev.lattice.inventory.v1.SearchProductsRequest;
import dev.lattice.operations.v1.ReadModelStatus;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The catalog's rows (issue 16): SearchProducts over a tenant of 10,000 and then 100,000 products
 * (a quick run: 1,000 and 3,000), each after the index has caught up with the seeding, beside
 * GetProduct in the same run (the same stack's cheapest inventory read: the ceiling a search is
 * measured against); the index lag while the catalog was seeded (GetReadModelStatus, the changes of
 * the last minute); and CreateUpload, the rate presigned upload URLs are issued at.
 *
 * <p>The products are named from 10 adjectives and 20 nouns with a number, described by a sentence
 * of the same words, so that a query word matches 1/10 or 1/20 of the catalog: the searches mix
 * two-word queries, a misspelt word, a price filter with price order, in-stock only, and an empty
 * query in newest order.
 */
final class CatalogBench {

  private static final List<String> ADJECTIVES =
      List.of(
          "Wireless",
          "Compact",
          "Premium",
          "Ergonomic",
          "Portable",
          "Vintage",
          "Waterproof",
          "Smart",
          "Classic",
          "Ultralight");
  private static final List<String> NOUNS =
      List.of(
          "Headphones",
          "Speaker",
          "Keyboard",
          "Mouse",
          "Monitor",
          "Wallet",
          "Backpack",
          "Jacket",
          "Sneakers",
          "Lamp",
          "Kettle",
          "Blender",
          "Camera",
          "Tripod",
          "Charger",
          "Notebook",
          "Bottle",
          "Umbrella",
          "Watch",
          "Scarf");

  /** The search mix, one picked at random per call. */
  private static final List<SearchProductsRequest> QUERIES =
      List.of(
          SearchProductsRequest.newBuilder().setQuery("wireless headphones").build(),
          SearchProductsRequest.newBuilder().setQuery("kettle").build(),
          SearchProductsRequest.newBuilder().setQuery("portable hedphones").build(),
          SearchProductsRequest.newBuilder()
              .setQuery("camera")
              .setMinPriceAmountMinor(1_000)
              .setMaxPriceAmountMinor(20_000)
              .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_PRICE_ASCENDING)
              .build(),
          SearchProductsRequest.newBuilder().setQuery("vintage").setInStockOnly(true).build(),
          SearchProductsRequest.newBuilder()
              .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_NEWEST)
              .build());

  private static final int SEED_IN_FLIGHT = 32;
  private static final String SLUG = "bench-catalog";

  private final Scenarios.Settings settings;
  private final Mesh mesh;
  private final DataSet data;
  private final Channels inventory;
  private final JetStreamManagement jsm;
  private final Report report;
  private final List<String> productIds = new ArrayList<>();

  CatalogBench(
      Scenarios.Settings settings,
      Mesh mesh,
      DataSet data,
      Channels inventory,
      JetStreamManagement jsm,
      Report report) {
    this.settings = settings;
    this.mesh = mesh;
    this.data = data;
    this.inventory = inventory;
    this.jsm = jsm;
    this.report = report;
  }

  /** Every row: the searches at each catalog size, the index lag, CreateUpload. */
  void run() throws Exception {
    DataSet.Customer staff = data.newTenantAdmin(mesh, SLUG);
    ReadModelStatus lag = null;
    for (int size : settings.quick() ? new int[] {1_000, 3_000} : new int[] {10_000, 100_000}) {
      long started = System.nanoTime();
      seed(staff, size);
      double seeded = (System.nanoTime() - started) / 1e9;
      long caughtUpAt = System.nanoTime();
      awaitIndexed();
      double catchUp = (System.nanoTime() - caughtUpAt) / 1e9;
      lag = new ConsumerSwitch(mesh).readModel("inventory", "catalog-search");
      report.settings.put(
          "catalog of " + size + " products",
          String.format(
              "seeded in %.0f s through CreateProduct (%d in flight); the index caught up %.1f s"
                  + " after the last",
              seeded, SEED_IN_FLIGHT, catchUp));
      for (int c : new int[] {1, 8}) {
        Load.Outcome search =
            Load.closed(
                c,
                settings.warmup(),
                settings.row(),
                mesh.pid(),
                n ->
                    search(
                        staff, QUERIES.get(ThreadLocalRandom.current().nextInt(QUERIES.size()))));
        report.add(
            Report.Row.of("SearchProducts, " + size + " products", "closed", "c=" + c, search)
                .note("documents", lag.getDocuments()));
      }
      Load.Outcome get =
          Load.closed(8, settings.warmup(), settings.row(), mesh.pid(), n -> getProduct(staff));
      report.add(
          Report.Row.of(
              "GetProduct (ceiling of a search), " + size + " products", "closed", "c=8", get));
    }
    if (lag != null) {
      report.settings.put(
          "search index lag while the catalog was seeded (last minute, GetReadModelStatus)",
          String.format(
              "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d document changes",
              millis(lag.getLagP50()),
              millis(lag.getLagP99()),
              millis(lag.getLagMax()),
              lag.getChangesLastMinute()));
    }
    Load.Outcome uploads =
        Load.closed(8, settings.warmup(), settings.row(), mesh.pid(), n -> createUpload(staff, n));
    report.add(
        Report.Row.of("CreateUpload (a presigned PUT issued)", "closed", "c=8", uploads)
            .note("media", uploads.ok() > 0 ? "on" : "off (no clamd?)"));
  }

  private static double millis(com.google.protobuf.Duration d) {
    return d.getSeconds() * 1000.0 + d.getNanos() / 1e6;
  }

  /** Creates products until the tenant has {@code size}, {@value #SEED_IN_FLIGHT} at a time. */
  private void seed(DataSet.Customer staff, int size) throws Exception {
    List<ListenableFuture<?>> window = new ArrayList<>();
    for (int n = productIds.size(); n < size; n++) {
      window.add(createProduct(staff, n));
      if (window.size() == SEED_IN_FLIGHT) {
        drain(window);
      }
      if (n % 10_000 == 9_999) {
        System.out.printf("bench: catalog: %d products%n", n + 1);
      }
    }
    drain(window);
  }

  private static void drain(List<ListenableFuture<?>> window) throws Exception {
    for (ListenableFuture<?> f : window) {
      f.get(60, TimeUnit.SECONDS);
    }
    window.clear();
  }

  private ListenableFuture<?> createProduct(DataSet.Customer staff, int n) {
    String adjective = ADJECTIVES.get(n % ADJECTIVES.size());
    String noun = NOUNS.get((n / ADJECTIVES.size()) % NOUNS.size());
    var answer =
        Channels.bearer(InventoryServiceGrpc.newFutureStub(inventory.next()), staff.accessToken)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("CAT-" + n)
                    .setName(adjective + " " + noun + " " + n)
                    .setDescription(
                        "A "
                            + adjective.toLowerCase()
                            + " "
                            + noun.toLowerCase()
                            + (n % 5 == 0 ? " in brushed aluminium." : " of recycled fabric."))
                    .setPriceAmountMinor(100 + (n * 7_919L) % 99_900)
                    .setCurrency("EUR")
                    .setInitialStock(n % 7 == 0 ? 0 : 5)
                    .build());
    answer.addListener(
        () -> {
          try {
            String id = answer.get().getProduct().getId();
            synchronized (productIds) {
              productIds.add(id);
            }
          } catch (Exception e) {
            throw new IllegalStateException("a catalog product was not created", e);
          }
        },
        Runnable::run);
    return answer;
  }

  /** Until inventory's search consumer has acknowledged everything the stream holds. */
  private void awaitIndexed() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
    while (System.nanoTime() < deadline) {
      ConsumerInfo info = jsm.getConsumerInfo("INVENTORY", "inventory-search");
      if (info.getNumPending() == 0 && info.getNumAckPending() == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the search index did not catch up within 15 minutes");
  }

  private ListenableFuture<?> search(DataSet.Customer staff, SearchProductsRequest request) {
    return Channels.bearer(InventoryServiceGrpc.newFutureStub(inventory.next()), staff.accessToken)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .searchProducts(request);
  }

  private ListenableFuture<?> getProduct(DataSet.Customer staff) {
    String id;
    synchronized (productIds) {
      id = productIds.get(ThreadLocalRandom.current().nextInt(productIds.size()));
    }
    return Channels.bearer(InventoryServiceGrpc.newFutureStub(inventory.next()), staff.accessToken)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getProduct(GetProductRequest.newBuilder().setProductId(id).build());
  }

  private ListenableFuture<?> createUpload(DataSet.Customer staff, long n) {
    String id;
    synchronized (productIds) {
      id = productIds.get(ThreadLocalRandom.current().nextInt(productIds.size()));
    }
    return Channels.bearer(InventoryServiceGrpc.newFutureStub(inventory.next()), staff.accessToken)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .createUpload(
            CreateUploadRequest.newBuilder()
                .setProductId(id)
                .setFileName("picture-" + n + ".png")
                .setContentType("image/png")
                .setSizeBytes(150_000)
                .setSha256(String.format("%064x", n))
                .setVisibility(MediaVisibility.MEDIA_VISIBILITY_PUBLIC)
                .build());
  }
}
