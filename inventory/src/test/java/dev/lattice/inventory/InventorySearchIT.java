package dev.lattice.inventory;

import static dev.lattice.inventory.OrderEventsPublisher.created;
import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.detail;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.rpc.BadRequest;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.DeleteProductRequest;
import dev.lattice.inventory.v1.HighlightedText;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.ListProductsRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductSearchFacets;
import dev.lattice.inventory.v1.ProductSearchHit;
import dev.lattice.inventory.v1.ProductSearchSort;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.inventory.v1.SearchProductsRequest;
import dev.lattice.inventory.v1.SearchProductsResponse;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockAdjusted;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.inventory.v1.UpdateProductRequest;
import dev.lattice.operations.v1.GetReadModelStatusRequest;
import dev.lattice.operations.v1.GetReadModelStatusResponse;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.ReadModelStatus;
import dev.lattice.operations.v1.RebuildReadModelRequest;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SearchProducts over a real index (decision 0022): 10,000 products across two tenants created
 * through the API, indexed by the search consumer from inventory's own events; queries with typos,
 * filters, facets, sorts and paging checked against the data set computed here; changes, deletions
 * and stock moves reflected within the lag; tenants apart; a tenant searched in its language.
 */
@Timeout(600)
class InventorySearchIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

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
  private static final int PRODUCTS_A = 7_000;
  private static final int PRODUCTS_B = 3_000;

  static InventoryHarness inventory;
  static EventTap events;
  static OrderEventsPublisher orders;
  static Connection publisher;
  static final UUID tenantA = UUID.randomUUID();
  static final UUID tenantB = UUID.randomUUID();

  /** What each tenant's products are, as created. */
  static final List<Product> productsA = Collections.synchronizedList(new ArrayList<>());

  static final List<Product> productsB = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    orders = OrderEventsPublisher.open(nats.url());
    publisher = Nats.connect(nats.url());
    EventStreams.ensureServiceStream(publisher.jetStreamManagement(), "identity");
    // The data set is loaded as fast as the service takes it: above the per-caller limit (a
    // policy, 200 calls/s by default), which is not what this test is about.
    inventory =
        InventoryHarness.start(postgres, nats, Map.of("LATTICE_RATE_LIMIT_PER_SECOND", "100000"));
    // Tenant B's first administrator reads German: its catalog is searched in German.
    publishTenantCreated(tenantB, "de-AT");
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < PRODUCTS_A; i++) {
        int n = i;
        work.add(pool.submit(() -> productsA.add(create(staffA(), n, false))));
      }
      for (int i = 0; i < PRODUCTS_B; i++) {
        int n = i;
        work.add(pool.submit(() -> productsB.add(create(staffB(), n, true))));
      }
      for (Future<?> f : work) {
        f.get();
      }
    }
    awaitIndexed();
  }

  @AfterAll
  static void stop() throws Exception {
    if (inventory != null) {
      inventory.close();
    }
    publisher.close();
    orders.close();
    events.close();
  }

  @Test
  void aMisspeltWord_stillFindsTheProductsNamedByIt() {
    SearchProductsResponse found =
        staffA().searchProducts(SearchProductsRequest.newBuilder().setQuery("headphnes").build());
    assertThat(found.getHitsList()).hasSize(20);
    assertThat(found.getHitsList())
        .allSatisfy(h -> assertThat(h.getProduct().getName()).contains("Headphones"));
    assertThat(found.getTotalSize()).isEqualTo(count(productsA, p -> is(p, "Headphones")));
    // Two misspelt words: each must be close to a word of the name.
    assertThat(
            staffA()
                .searchProducts(
                    SearchProductsRequest.newBuilder().setQuery("wireles headphnes").build())
                .getTotalSize())
        .isEqualTo(count(productsA, p -> is(p, "Wireless") && is(p, "Headphones")));
  }

  @Test
  void relevance_putsTheProductsWithEveryWordFirst_andMarksTheWordsInTheName() {
    SearchProductsResponse found =
        staffA()
            .searchProducts(
                SearchProductsRequest.newBuilder()
                    .setQuery("wireless headphones")
                    .setPageSize(10)
                    .build());
    assertThat(found.getHitsList()).hasSize(10);
    for (ProductSearchHit hit : found.getHitsList()) {
      assertThat(hit.getProduct().getName()).startsWith("Wireless Headphones");
      assertThat(marked(hit.getName())).containsExactly("Wireless", "Headphones");
      assertThat(hit.getScore()).isPositive();
    }
    assertThat(found.getHitsList().stream().map(ProductSearchHit::getScore).toList())
        .isSortedAccordingTo(Comparator.reverseOrder());
    // Only "wireless headphones" products match both words; the others match one of them.
    long both = count(productsA, p -> is(p, "Wireless") && is(p, "Headphones"));
    assertThat(
            staffA()
                .searchProducts(
                    SearchProductsRequest.newBuilder().setQuery("\"wireless headphones\"").build())
                .getTotalSize())
        .isEqualTo(both);
  }

  @Test
  void theDescriptionSnippet_marksTheMatchInPlainText() {
    SearchProductsResponse found =
        staffA()
            .searchProducts(
                SearchProductsRequest.newBuilder().setQuery("aluminium").setPageSize(5).build());
    assertThat(found.getHitsList()).isNotEmpty();
    for (ProductSearchHit hit : found.getHitsList()) {
      assertThat(hit.getProduct().getDescription()).contains("aluminium");
      assertThat(marked(hit.getDescriptionSnippet())).containsOnly("aluminium");
      assertThat(hit.getDescriptionSnippet().getText()).doesNotContain("<", ">");
    }
  }

  @Test
  void filtersAndPriceOrder_returnTheExpectedIdsInOrder_acrossPages() {
    SearchProductsRequest first =
        SearchProductsRequest.newBuilder()
            .setQuery("wallet")
            .setCurrency("EUR")
            .setMinPriceAmountMinor(1_000)
            .setMaxPriceAmountMinor(50_000)
            .setInStockOnly(true)
            .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_PRICE_ASCENDING)
            .setPageSize(25)
            .build();
    List<String> expected =
        productsA.stream()
            .filter(p -> is(p, "Wallet"))
            .filter(p -> p.getCurrency().equals("EUR"))
            .filter(p -> p.getPriceAmountMinor() >= 1_000 && p.getPriceAmountMinor() <= 50_000)
            .filter(p -> initialStock(p) > 0)
            .sorted(
                Comparator.comparingLong(Product::getPriceAmountMinor)
                    .thenComparing(Product::getId))
            .map(Product::getId)
            .toList();
    assertThat(expected).hasSizeGreaterThan(50);
    List<String> ids = allPages(staffA(), first);
    assertThat(ids).containsExactlyElementsOf(expected);

    List<String> descending =
        allPages(
            staffA(),
            first.toBuilder()
                .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_PRICE_DESCENDING)
                .build());
    assertThat(descending)
        .containsExactlyElementsOf(
            productsA.stream()
                .filter(p -> expected.contains(p.getId()))
                .sorted(
                    Comparator.comparingLong(Product::getPriceAmountMinor)
                        .reversed()
                        .thenComparing(Product::getId))
                .map(Product::getId)
                .toList());
  }

  @Test
  void relevancePaging_returnsEveryMatchOnce() {
    SearchProductsRequest first =
        SearchProductsRequest.newBuilder().setQuery("portable OR speaker").setPageSize(100).build();
    List<String> ids = allPages(staffA(), first);
    assertThat(ids).doesNotHaveDuplicates();
    // Web search syntax: either word, so every product named by one of them, in ranked pages.
    long either = count(productsA, p -> is(p, "Portable") || is(p, "Speaker"));
    assertThat(ids).hasSize((int) either);
    assertThat(staffA().searchProducts(first).getTotalSize()).isEqualTo(either);
  }

  @Test
  void newest_withoutAQuery_listsEveryLiveProduct() {
    SearchProductsResponse page =
        staffB().searchProducts(SearchProductsRequest.newBuilder().setPageSize(3).build());
    assertThat(page.getTotalSize()).isEqualTo(PRODUCTS_B);
    List<Instant> times =
        page.getHitsList().stream().map(h -> instant(h.getProduct().getCreateTime())).toList();
    assertThat(times).isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  void facets_countEachValueWithoutTheirOwnFilter() {
    SearchProductsResponse found =
        staffA()
            .searchProducts(
                SearchProductsRequest.newBuilder()
                    .setQuery("backpack")
                    .setCurrency("USD")
                    .setInStockOnly(true)
                    .build());
    Predicate<Product> backpack = p -> is(p, "Backpack");
    assertThat(found.getTotalSize())
        .isEqualTo(
            count(
                productsA,
                backpack.and(p -> p.getCurrency().equals("USD")).and(p -> initialStock(p) > 0)));
    ProductSearchFacets facets = found.getFacets();
    Map<String, Long> currencies = new TreeMap<>();
    for (ProductSearchFacets.CurrencyCount c : facets.getCurrenciesList()) {
      currencies.put(c.getCurrency(), c.getCount());
    }
    assertThat(currencies)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "EUR",
                count(productsA, backpack.and(p -> is(p, "EUR")).and(p -> initialStock(p) > 0)),
                "USD",
                count(productsA, backpack.and(p -> is(p, "USD")).and(p -> initialStock(p) > 0))));
    assertThat(facets.getInStock())
        .isEqualTo(count(productsA, backpack.and(p -> is(p, "USD")).and(p -> initialStock(p) > 0)));
    assertThat(facets.getOutOfStock())
        .isEqualTo(
            count(productsA, backpack.and(p -> is(p, "USD")).and(p -> initialStock(p) == 0)));
    long[] bounds = {0, 1_000, 5_000, 10_000, 50_000, Long.MAX_VALUE};
    assertThat(facets.getPriceBandsList()).hasSize(5);
    for (int band = 0; band < 5; band++) {
      long lo = bounds[band];
      long hi = bounds[band + 1];
      ProductSearchFacets.PriceBandCount counted = facets.getPriceBands(band);
      assertThat(counted.getMinAmountMinor()).isEqualTo(lo);
      assertThat(counted.getCount())
          .as("band from %d", lo)
          .isEqualTo(
              count(
                  productsA,
                  backpack
                      .and(p -> is(p, "USD"))
                      .and(p -> initialStock(p) > 0)
                      .and(p -> p.getPriceAmountMinor() >= lo && p.getPriceAmountMinor() < hi)));
    }
  }

  @Test
  void anotherTenantsProducts_areNeverFound() {
    // Tenant A's products have English descriptions with "aluminium"; B's are German.
    assertThat(
            staffB()
                .searchProducts(SearchProductsRequest.newBuilder().setQuery("aluminium").build())
                .getTotalSize())
        .isZero();
    SearchProductsResponse b =
        staffB()
            .searchProducts(
                SearchProductsRequest.newBuilder().setQuery("headphones").setPageSize(100).build());
    assertThat(b.getHitsList())
        .allSatisfy(h -> assertThat(h.getProduct().getTenantId()).isEqualTo(tenantB.toString()));
    List<String> idsOfA = productsA.stream().map(Product::getId).toList();
    assertThat(b.getHitsList()).noneMatch(h -> idsOfA.contains(h.getProduct().getId()));
  }

  @Test
  void aTenantsCatalog_isSearchedInItsLanguage() {
    // The German configuration stems the plural "Taschen" to the singular's stem, as the English
    // one would not.
    SearchProductsResponse found =
        staffB().searchProducts(SearchProductsRequest.newBuilder().setQuery("taschen").build());
    assertThat(found.getTotalSize()).isEqualTo(count(productsB, p -> is(p, "Tasche")));
    assertThat(found.getTotalSize()).isPositive();
    // And drops German stop words: "die" changes nothing.
    assertThat(
            staffB()
                .searchProducts(SearchProductsRequest.newBuilder().setQuery("die taschen").build())
                .getTotalSize())
        .isEqualTo(found.getTotalSize());
  }

  @Test
  void anUpdateAndADeletion_showWithinTheLag() {
    // A product of its own: the data set's stay as created, for the other tests' counts.
    Product product = extraProduct("SEXTANT-1", "Brass Sextant");
    Product renamed = rename(product, "Telescopic Periscope 9000");
    long changed = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ids(staffA(), "periscope").equals(List.of(product.getId())));
    long lagMillis = (System.nanoTime() - changed) / 1_000_000;
    assertThat(lagMillis).as("ms until searchable").isLessThan(10_000);

    staffA()
        .deleteProduct(
            DeleteProductRequest.newBuilder()
                .setProductId(product.getId())
                .setVersion(renamed.getVersion())
                .build());
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ids(staffA(), "periscope").isEmpty());
  }

  @Test
  void operators_seeTheIndexsSizeAndLag() {
    Product product = extraProduct("PLANISPHERE-7", "Pocket Planisphere");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ids(staffA(), "pocket planisphere").size() == 1);
    GetReadModelStatusResponse answer =
        inventory
            .operations(inventory.tokens().token(tenantA, "operator", "operations.read"))
            .getReadModelStatus(GetReadModelStatusRequest.getDefaultInstance());
    assertThat(answer.getReadModelsList()).hasSize(1);
    ReadModelStatus status = answer.getReadModels(0);
    assertThat(status.getName()).isEqualTo("catalog-search");
    assertThat(status.getConsumersList())
        .containsExactly("inventory-search", "inventory-search-tenants");
    assertThat(status.getDocuments()).isGreaterThanOrEqualTo(PRODUCTS_A + PRODUCTS_B + 1);
    assertThat(status.getChangesLastMinute()).isPositive();
    assertThat(instant(status.getNewestEventTime()))
        .isAfterOrEqualTo(instant(product.getCreateTime()));
    long p50 = Durations.toNanos(status.getLagP50());
    long p99 = Durations.toNanos(status.getLagP99());
    long max = Durations.toNanos(status.getLagMax());
    assertThat(p50).isNotNegative().isLessThanOrEqualTo(p99);
    assertThat(p99).isLessThanOrEqualTo(max);
    assertThat(max).as("ns from an event to its change of the index").isPositive();
  }

  @Test
  void aRebuildWhileQueriesRun_losesNoQuery_andMissesNoChange() throws Exception {
    Product moving = extraProduct("ORRERY-3", "Clockwork Orrery");
    awaitIndexed();
    List<SearchProductsRequest> queries =
        List.of(
            SearchProductsRequest.newBuilder().setQuery("wireless headphones").build(),
            SearchProductsRequest.newBuilder()
                .setQuery("kettle")
                .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_PRICE_ASCENDING)
                .setPageSize(50)
                .build(),
            // (Not the newest products: the product renamed below is one.)
            SearchProductsRequest.newBuilder()
                .setQuery("lamp")
                .setInStockOnly(true)
                .setPageSize(100)
                .build());
    Map<SearchProductsRequest, SearchProductsResponse> before = new HashMap<>();
    for (SearchProductsRequest q : queries) {
      before.put(q, withoutToken(staffA().searchProducts(q)));
    }
    OperationsServiceGrpc.OperationsServiceBlockingStub operator =
        inventory.operations(
            inventory.tokens().token(tenantA, "operator", "operations.read", "operations.manage"));
    long documents = status(operator).getDocuments();
    long generation = status(operator).getGeneration();

    // Shoppers keep searching on two threads while the index is rebuilt: every answer must be
    // the whole of one generation, the same as before.
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong answered = new AtomicLong();
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    ExecutorService shoppers = Executors.newFixedThreadPool(2);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      running.add(
          shoppers.submit(
              () -> {
                while (!stop.get()) {
                  for (SearchProductsRequest q : queries) {
                    SearchProductsResponse answer = withoutToken(staffA().searchProducts(q));
                    if (!answer.equals(before.get(q))) {
                      wrong.add(q.getQuery() + ": " + answer.getTotalSize());
                    }
                    answered.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    ReadModelStatus started =
        operator
            .rebuildReadModel(
                RebuildReadModelRequest.newBuilder().setReadModel("catalog-search").build())
            .getReadModel();
    assertThat(started.getLastRebuild().getGeneration()).isEqualTo(generation + 1);
    // A change made while the new generation fills reaches it through its event.
    Product renamed = rename(moving, "Mechanical Planetarium");
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              ReadModelStatus s = status(operator);
              return s.getGeneration() == generation + 1 && s.getLastRebuild().getDone();
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                inventory.sqlLong(
                        "select count(*) from search_documents where generation <> ?",
                        (int) (generation + 1))
                    == 0);
    stop.set(true);
    for (Future<?> f : running) {
      f.get();
    }
    shoppers.shutdown();
    assertThat(wrong).as("answers that differed from before the rebuild").isEmpty();
    assertThat(answered.get()).as("searches answered during the rebuild").isPositive();

    ReadModelStatus after = status(operator);
    assertThat(after.getDocuments()).isEqualTo(documents);
    assertThat(after.getLastRebuild().getDocuments())
        .isGreaterThanOrEqualTo(PRODUCTS_A + PRODUCTS_B);
    assertThat(after.getLastRebuild().hasFinishTime()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ids(staffA(), "planetarium").equals(List.of(moving.getId())));
    assertThat(ids(staffA(), "orrery")).isEmpty();
    ProductSearchHit hit =
        staffA()
            .searchProducts(SearchProductsRequest.newBuilder().setQuery("planetarium").build())
            .getHits(0);
    assertThat(hit.getProduct().getVersion()).isEqualTo(renamed.getVersion());
    for (SearchProductsRequest q : queries) {
      assertThat(withoutToken(staffA().searchProducts(q))).isEqualTo(before.get(q));
    }
  }

  /**
   * An answer with its next page token reduced to whether there is one: a token is signed anew,
   * with its time, on every answer.
   */
  private static SearchProductsResponse withoutToken(SearchProductsResponse answer) {
    return answer.toBuilder()
        .setNextPageToken(answer.getNextPageToken().isEmpty() ? "" : "more")
        .build();
  }

  private static ReadModelStatus status(
      OperationsServiceGrpc.OperationsServiceBlockingStub operator) {
    return operator
        .getReadModelStatus(GetReadModelStatusRequest.getDefaultInstance())
        .getReadModels(0);
  }

  @Test
  void anOlderEventArrivingLate_changesNothing() throws Exception {
    Product product = extraProduct("COMPASS-1", "Copper Compass");
    Product renamed = rename(product, "Gyroscope Deluxe");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids(staffA(), "gyroscope").size() == 1);
    // The product's first version, as a ProductUpdated delivered after the second (a replay
    // from the dead-letter store, or a relay's re-publish after a crash): the index keeps v2.
    publishInventoryEvent(
        tenantA,
        "product",
        product.getId(),
        product.getVersion(),
        ProductUpdated.newBuilder()
            .setProduct(product.toBuilder().setName("Stale Astrolabe"))
            .build());
    publishInventoryEvent(
        tenantA,
        "stock",
        product.getId(),
        1,
        StockAdjusted.newBuilder()
            .setProductId(product.getId())
            .setDelta(1_000)
            .setStock(
                Stock.newBuilder().setProductId(product.getId()).setAvailable(1_000).setVersion(1))
            .build());
    awaitIndexed();
    assertThat(ids(staffA(), "astrolabe")).isEmpty();
    ProductSearchHit hit =
        staffA()
            .searchProducts(SearchProductsRequest.newBuilder().setQuery("gyroscope").build())
            .getHits(0);
    assertThat(hit.getProduct().getVersion()).isEqualTo(renamed.getVersion());
    assertThat(hit.getAvailable()).isEqualTo(3);
  }

  @Test
  void anIndexerCutOffInItsBatches_resumesWithoutAMissingDocument() throws Exception {
    UUID tenantC = UUID.randomUUID();
    List<Product> productsC = Collections.synchronizedList(new ArrayList<>());
    long cutOff = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 1_500; i++) {
        int n = i;
        work.add(pool.submit(() -> productsC.add(createThroughCutOffs(tenantC, n))));
      }
      // While the products are made, the indexer's transactions are killed from the server side,
      // as a crash of the indexer's process or its connection would end them: the batch in hand
      // is rolled back and its events are delivered again.
      while (!work.stream().allMatch(Future::isDone)) {
        cutOff +=
            inventory.sqlLong(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                    + " where datname = current_database() and pid <> pg_backend_pid()"
                    + " and state in ('active', 'idle in transaction')"
                    + " and query like '%search_documents%'");
        Thread.sleep(25);
      }
      for (Future<?> f : work) {
        f.get();
      }
    }
    assertThat(cutOff).as("indexer transactions cut off").isPositive();
    awaitIndexed();
    List<String> found =
        allPages(
            stub(tenantC),
            SearchProductsRequest.newBuilder()
                .setSort(ProductSearchSort.PRODUCT_SEARCH_SORT_NEWEST)
                .setPageSize(100)
                .build());
    assertThat(found)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(productsC.stream().map(Product::getId).toList());
  }

  @Test
  void stockReservedToZero_leavesTheInStockFilter() throws Exception {
    Product product =
        staffA()
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("ZEPPELIN-1")
                    .setName("Zeppelin Model")
                    .setPriceAmountMinor(4_200)
                    .setCurrency("EUR")
                    .setInitialStock(2)
                    .build())
            .getProduct();
    SearchProductsRequest inStock =
        SearchProductsRequest.newBuilder().setQuery("zeppelin").setInStockOnly(true).build();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> staffA().searchProducts(inStock).getTotalSize() == 1);
    assertThat(staffA().searchProducts(inStock).getHits(0).getAvailable()).isEqualTo(2);

    UUID order = UUID.randomUUID();
    orders.publish(tenantA, order, created(order, Map.of(product.getId(), 2)));
    events.await(StockReserved.class, r -> r.getOrderId().equals(order.toString()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> staffA().searchProducts(inStock).getTotalSize() == 0);
    SearchProductsResponse any =
        staffA().searchProducts(SearchProductsRequest.newBuilder().setQuery("zeppelin").build());
    assertThat(any.getHits(0).getAvailable()).isZero();
    assertThat(any.getFacets().getOutOfStock()).isEqualTo(1);
  }

  @Test
  void badInput_isInvalidArgument_andATamperedOrForeignTokenIsRefused() {
    StatusRuntimeException range =
        failure(
            () ->
                staffA()
                    .searchProducts(
                        SearchProductsRequest.newBuilder()
                            .setMinPriceAmountMinor(500)
                            .setMaxPriceAmountMinor(100)
                            .build()));
    assertThat(code(range)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(range, BadRequest.class).getFieldViolationsList()).isNotEmpty();

    StatusRuntimeException currency =
        failure(
            () ->
                staffA()
                    .searchProducts(
                        SearchProductsRequest.newBuilder().setCurrency("euro").build()));
    assertThat(code(currency)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(currency, BadRequest.class).getFieldViolationsList())
        .anySatisfy(v -> assertThat(v.getField()).isEqualTo("currency"));

    SearchProductsRequest wallets =
        SearchProductsRequest.newBuilder().setQuery("wallet").setPageSize(5).build();
    String token = staffA().searchProducts(wallets).getNextPageToken();
    assertThat(token).isNotEmpty();
    StatusRuntimeException otherFilter =
        failure(
            () ->
                staffA()
                    .searchProducts(
                        wallets.toBuilder().setQuery("lamp").setPageToken(token).build()));
    assertThat(errorInfo(otherFilter).getReason()).isEqualTo("PAGE_TOKEN_INVALID");
    StatusRuntimeException otherTenant =
        failure(() -> staffB().searchProducts(wallets.toBuilder().setPageToken(token).build()));
    assertThat(errorInfo(otherTenant).getReason()).isEqualTo("PAGE_TOKEN_INVALID");
    byte[] bytes = Base64.getUrlDecoder().decode(token);
    bytes[bytes.length / 2] ^= 1;
    String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    StatusRuntimeException forged =
        failure(() -> staffA().searchProducts(wallets.toBuilder().setPageToken(tampered).build()));
    assertThat(errorInfo(forged).getReason()).isEqualTo("PAGE_TOKEN_INVALID");
  }

  // ---- the data set ----

  /**
   * Product {@code n} of a tenant: an adjective and a noun (German nouns for tenant B), a model
   * number, a description, a price from 1.00 to 999.99 spread over the bands, EUR or (every third)
   * USD, and no stock for every seventh.
   */
  /**
   * {@link #create} while the test cuts off database connections: a cut-off aimed at the indexer
   * may hit a connection the pool has just handed to CreateProduct (the backend ends between the
   * test reading what it runs and terminating it), which then answers UNAVAILABLE, as a database
   * outage would. Like any careful client, this one sends the same product again, and when it had
   * been made after all (SKU_TAKEN), takes the one made.
   */
  private static Product createThroughCutOffs(UUID tenantId, int n) {
    for (int attempt = 1; ; attempt++) {
      try {
        return create(stub(tenantId), n, false);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
          return stub(tenantId)
              .listProducts(ListProductsRequest.newBuilder().setSkuPrefix("A-" + n).build())
              .getProductsList()
              .stream()
              .filter(p -> p.getSku().equals("A-" + n))
              .findFirst()
              .orElseThrow();
        }
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static Product create(InventoryServiceBlockingStub staff, int n, boolean german) {
    String adjective = ADJECTIVES.get(n % ADJECTIVES.size());
    String noun = NOUNS.get((n / ADJECTIVES.size()) % NOUNS.size());
    String name;
    String description;
    if (german) {
      String germanNoun = n % 2 == 0 ? "Tasche" : "Headphones";
      name = adjective + " " + germanNoun + " " + n;
      description = "Die " + germanNoun + " mit Reißverschluss und Fächern für jeden Tag.";
    } else {
      name = adjective + " " + noun + " M" + n;
      description =
          (n % 5 == 0 ? "Brushed aluminium body. " : "Recycled fabric. ")
              + "A "
              + adjective.toLowerCase()
              + " "
              + noun.toLowerCase()
              + " for every day.";
    }
    long price = 100 + (n * 7_919L) % 99_900;
    return staff
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku((german ? "B-" : "A-") + n)
                .setName(name)
                .setDescription(description)
                .setPriceAmountMinor(price)
                .setCurrency(n % 3 == 0 ? "USD" : "EUR")
                .setInitialStock(n % 7 == 0 ? 0 : 5)
                .build())
        .getProduct();
  }

  /** A product of tenant A outside the data set, with 3 units. */
  private static Product extraProduct(String sku, String name) {
    return staffA()
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku(sku)
                .setName(name)
                .setPriceAmountMinor(12_345)
                .setCurrency("EUR")
                .setInitialStock(3)
                .build())
        .getProduct();
  }

  /** Renames a product of tenant A; returns it at its new version. */
  private static Product rename(Product product, String name) {
    return staffA()
        .updateProduct(
            UpdateProductRequest.newBuilder()
                .setProductId(product.getId())
                .setVersion(product.getVersion())
                .setProduct(Product.newBuilder().setName(name))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name"))
                .build())
        .getProduct();
  }

  /** Whether the product's name has the word, or its currency is {@code word}. */
  private static boolean is(Product p, String word) {
    return p.getCurrency().equals(word) || List.of(p.getName().split(" ")).contains(word);
  }

  private static long initialStock(Product p) {
    int n = Integer.parseInt(p.getSku().substring(2));
    return n % 7 == 0 ? 0 : 5;
  }

  private static long count(List<Product> products, Predicate<Product> match) {
    synchronized (products) {
      return products.stream().filter(match).count();
    }
  }

  // ---- helpers ----

  /** A new stub per call: a stub's deadline runs from when it is made. */
  private static InventoryServiceBlockingStub staffA() {
    return stub(tenantA);
  }

  private static InventoryServiceBlockingStub staffB() {
    return stub(tenantB);
  }

  private static InventoryServiceBlockingStub stub(UUID tenantId) {
    return inventory.stub(
        inventory.tokens().token(tenantId, "staff", "inventory.read", "inventory.write"));
  }

  private static List<String> allPages(
      InventoryServiceBlockingStub staff, SearchProductsRequest first) {
    List<String> ids = new ArrayList<>();
    SearchProductsRequest request = first;
    while (true) {
      SearchProductsResponse page = staff.searchProducts(request);
      page.getHitsList().forEach(h -> ids.add(h.getProduct().getId()));
      if (page.getNextPageToken().isEmpty()) {
        return ids;
      }
      request = first.toBuilder().setPageToken(page.getNextPageToken()).build();
    }
  }

  private static List<String> ids(InventoryServiceBlockingStub staff, String query) {
    return staff
        .searchProducts(SearchProductsRequest.newBuilder().setQuery(query).build())
        .getHitsList()
        .stream()
        .map(h -> h.getProduct().getId())
        .toList();
  }

  private static List<String> marked(HighlightedText text) {
    return text.getHighlightsList().stream()
        .map(r -> text.getText().substring(r.getStart(), r.getEnd()))
        .toList();
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Until the search consumers have acknowledged everything the streams hold. */
  private static void awaitIndexed() {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                drained(EventSubjects.streamName("inventory"), "inventory-search")
                    && drained(EventSubjects.streamName("identity"), "inventory-search-tenants"));
  }

  private static boolean drained(String stream, String durable) throws Exception {
    ConsumerInfo info = publisher.jetStreamManagement().getConsumerInfo(stream, durable);
    return info.getNumPending() == 0 && info.getNumAckPending() == 0;
  }

  /** Publishes {@code payload} on INVENTORY as inventory's relay would, with a new event id. */
  private static void publishInventoryEvent(
      UUID tenant, String aggregateType, String aggregateId, long version, Message payload)
      throws Exception {
    publish("inventory", tenant, aggregateType, aggregateId, version, payload);
  }

  /** Publishes {@code payload} as an event of {@code service}, as its relay would. */
  private static void publish(
      String service,
      UUID tenant,
      String aggregateType,
      String aggregateId,
      long version,
      Message payload)
      throws Exception {
    Instant now = Instant.now();
    Envelope envelope =
        Envelope.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setType(EventSubjects.subject(service, payload.getDescriptorForType()))
            .setSource(service)
            .setTenantId(tenant.toString())
            .setAggregateType(aggregateType)
            .setAggregateId(aggregateId)
            .setAggregateVersion(version)
            .setActor(Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("test"))
            .setOccurredAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .setPayload(Any.pack(payload))
            .build();
    PublishAck ack =
        publisher
            .jetStream()
            .publish(
                NatsMessage.builder()
                    .subject(envelope.getType())
                    .data(envelope.toByteArray())
                    .build());
    assertThat(ack.getError()).isNull();
  }

  private static void publishTenantCreated(UUID tenant, String locale) throws Exception {
    publish(
        "identity",
        tenant,
        "tenant",
        tenant.toString(),
        1,
        TenantCreated.newBuilder()
            .setTenantId(tenant.toString())
            .setSlug("t-" + tenant.toString().substring(0, 8))
            .setDisplayName("Tenant B")
            .setInitialAdminLocale(locale)
            .build());
  }
}
