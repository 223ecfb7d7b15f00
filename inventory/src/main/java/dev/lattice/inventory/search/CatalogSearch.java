package dev.lattice.inventory.search;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.v1.HighlightedText;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductSearchFacets;
import dev.lattice.inventory.v1.ProductSearchHit;
import dev.lattice.inventory.v1.ProductSearchSort;
import dev.lattice.inventory.v1.SearchProductsRequest;
import dev.lattice.inventory.v1.SearchProductsResponse;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.operations.v1.ReadModelRebuild;
import dev.lattice.operations.v1.ReadModelStatus;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.operations.ReadModel;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The catalog's search (decision 0022): the index side applies inventory's product and stock events
 * to the tenant's search documents, newest version wins per side, so redelivered, replayed and
 * reordered events leave the same index; the query side answers SearchProducts from the index
 * alone. Thread-safe.
 */
public final class CatalogSearch implements ReadModel {

  /** Text search configurations PostgreSQL ships, by the BCP 47 language they are for. */
  private static final Map<String, String> CONFIGS =
      Map.ofEntries(
          Map.entry("ar", "arabic"),
          Map.entry("ca", "catalan"),
          Map.entry("da", "danish"),
          Map.entry("de", "german"),
          Map.entry("el", "greek"),
          Map.entry("en", "english"),
          Map.entry("es", "spanish"),
          Map.entry("eu", "basque"),
          Map.entry("fi", "finnish"),
          Map.entry("fr", "french"),
          Map.entry("ga", "irish"),
          Map.entry("hi", "hindi"),
          Map.entry("hu", "hungarian"),
          Map.entry("hy", "armenian"),
          Map.entry("id", "indonesian"),
          Map.entry("it", "italian"),
          Map.entry("lt", "lithuanian"),
          Map.entry("nb", "norwegian"),
          Map.entry("ne", "nepali"),
          Map.entry("nl", "dutch"),
          Map.entry("nn", "norwegian"),
          Map.entry("no", "norwegian"),
          Map.entry("pt", "portuguese"),
          Map.entry("ro", "romanian"),
          Map.entry("ru", "russian"),
          Map.entry("sr", "serbian"),
          Map.entry("sv", "swedish"),
          Map.entry("ta", "tamil"),
          Map.entry("tr", "turkish"),
          Map.entry("yi", "yiddish"));

  private final DSLContext dsl;
  private final PageTokens pageTokens;
  private final Clock clock;
  private final DoubleHistogram lag;
  private final List<String> consumers;
  private final SearchRebuild rebuild;

  /**
   * @param consumers the durable consumers that keep the index, for its status
   */
  public CatalogSearch(
      DSLContext dsl, PageTokens pageTokens, Clock clock, Meter meter, List<String> consumers) {
    this.dsl = dsl;
    this.consumers = List.copyOf(consumers);
    this.rebuild = new SearchRebuild(dsl);
    this.pageTokens = pageTokens;
    this.clock = clock;
    this.lag =
        meter
            .histogramBuilder("lattice.search.index.lag")
            .setUnit("s")
            .setDescription(
                "Time from an inventory event to its change of the search index (as applied,"
                    + " before the indexer's commit)")
            .setExplicitBucketBoundariesAdvice(
                List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
            .build();
  }

  // ---- the index side: called by the indexer's handlers in their inbox transaction ----

  /** ProductCreated or ProductUpdated: the product's fields at its version. */
  public void productChanged(DSLContext tx, UUID tenantId, Product product, Instant eventTime) {
    SearchStore.upsertProduct(tx, IndexedProduct.of(tenantId, product), eventTime);
    observeLag(eventTime);
  }

  /** ProductCreated's initial stock, stock version 1. */
  public void productStocked(
      DSLContext tx, UUID tenantId, UUID productId, long initialStock, Instant eventTime) {
    SearchStore.upsertStock(tx, tenantId, productId, initialStock, 1, eventTime);
  }

  /** ProductDeleted: the product is found no more; {@code version} is its version at deletion. */
  public void productDeleted(
      DSLContext tx, UUID tenantId, UUID productId, long version, Instant eventTime) {
    SearchStore.markDeleted(tx, tenantId, productId, version, eventTime);
    observeLag(eventTime);
  }

  /** A stock event's snapshots: each product's stock as the change left it. */
  public void stockChanged(DSLContext tx, UUID tenantId, List<Stock> stock, Instant eventTime) {
    for (Stock s : stock) {
      SearchStore.upsertStock(
          tx,
          tenantId,
          UUID.fromString(s.getProductId()),
          s.getAvailable(),
          s.getVersion(),
          eventTime);
    }
    observeLag(eventTime);
  }

  /**
   * A new tenant: its catalog is searched in the language of its first administrator's locale (the
   * only language the platform knows of a tenant), {@code simple} (no stemming, no stop words) for
   * a language PostgreSQL has no configuration for, and English when there is no locale. Documents
   * indexed before are re-weighed in it.
   */
  public void tenantCreated(DSLContext tx, UUID tenantId, String locale) {
    String config = configFor(tx, locale);
    SearchStore.setLanguage(tx, tenantId, config);
  }

  /** The configuration for a BCP 47 locale; see {@link #tenantCreated}. */
  static String configFor(DSLContext tx, String locale) {
    if (locale == null || locale.isBlank()) {
      return SearchStore.DEFAULT_CONFIG;
    }
    String language = Locale.forLanguageTag(locale).getLanguage();
    String config = CONFIGS.get(language);
    return config != null && SearchStore.configExists(tx, config) ? config : "simple";
  }

  private void observeLag(Instant eventTime) {
    lag.record(Math.max(0, Duration.between(eventTime, clock.instant()).toNanos() / 1e9));
  }

  // ---- the operators' view ----

  /**
   * The index as {@code OperationsService.GetReadModelStatus} reports it, every tenant's documents
   * together.
   *
   * @param consumers the durable consumers that keep it
   */
  @Override
  public String name() {
    return READ_MODEL_NAME;
  }

  /** Starts a rebuild (or joins the running one) and answers the status (decision 0022). */
  @Override
  public ReadModelStatus rebuild() {
    rebuild.start();
    return status();
  }

  @Override
  public ReadModelStatus status() {
    SearchStore.IndexStatus s = Transactions.acrossTenants(dsl, SearchStore::status);
    List<SearchStore.Generation> generations =
        Transactions.acrossTenants(dsl, SearchStore::activeAndNewestRebuild);
    ReadModelStatus.Builder status =
        ReadModelStatus.newBuilder()
            .setName(READ_MODEL_NAME)
            .addAllConsumers(consumers)
            .setDocuments(s.documents())
            .setChangesLastMinute(s.changesLastMinute())
            .setLagP50(duration(s.lagP50Seconds()))
            .setLagP99(duration(s.lagP99Seconds()))
            .setLagMax(duration(s.lagMaxSeconds()));
    if (s.newestEventTime() != null) {
      status.setNewestEventTime(timestamp(s.newestEventTime()));
    }
    for (SearchStore.Generation g : generations) {
      if (g.state().equals("ACTIVE")) {
        status.setGeneration(g.generation());
      }
      if (g.generation() > 1) {
        ReadModelRebuild.Builder last =
            ReadModelRebuild.newBuilder()
                .setGeneration(g.generation())
                .setDone(!g.building())
                .setDocuments(g.documents())
                .setStartTime(timestamp(g.startTime()));
        if (!g.building() && g.finishTime() != null) {
          last.setFinishTime(timestamp(g.finishTime()));
        }
        status.setLastRebuild(last);
      }
    }
    return status.build();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** The read model's name in GetReadModelStatus. */
  public static final String READ_MODEL_NAME = "catalog-search";

  private static com.google.protobuf.Duration duration(double seconds) {
    long nanos = Math.round(seconds * 1e9);
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(nanos / 1_000_000_000L)
        .setNanos((int) (nanos % 1_000_000_000L))
        .build();
  }

  // ---- the query side ----

  /** SearchProducts for {@code tenantId}; the request is validated already. */
  public SearchProductsResponse search(UUID tenantId, SearchProductsRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String text = request.getQuery().strip();
    SearchQuery.Sort sort = sort(request.getSort(), !text.isEmpty());
    Long min = request.hasMinPriceAmountMinor() ? request.getMinPriceAmountMinor() : null;
    Long max = request.hasMaxPriceAmountMinor() ? request.getMaxPriceAmountMinor() : null;
    String fingerprint =
        PageTokens.fingerprint(
            "product-search",
            tenantId,
            text,
            request.getCurrency(),
            String.valueOf(min),
            String.valueOf(max),
            request.getInStockOnly(),
            sort.name());
    SearchQuery.After after =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(cursor -> after(sort, cursor))
            .orElse(null);
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          SearchQuery query =
              new SearchQuery(
                  tenantId,
                  text,
                  List.of(),
                  request.getCurrency(),
                  min,
                  max,
                  request.getInStockOnly(),
                  sort,
                  after,
                  size + 1);
          // The words as typed first; misspelt words are matched (pg_trgm's word similarity to
          // the names) only when they find nothing: the similarity of every candidate name costs
          // far more than the full-text index, and a search that finds is answered without it.
          List<SearchStore.FacetGroup> groups = SearchStore.facetGroups(tx, query);
          List<String> fuzzy = fuzzyWords(text);
          if (!fuzzy.isEmpty() && groups.isEmpty()) {
            SearchStore.useWordSimilarityThreshold(tx);
            query = query.withFuzzyWords(fuzzy);
            groups = SearchStore.facetGroups(tx, query);
          }
          List<SearchStore.SearchRow> rows = SearchStore.page(tx, query);
          SearchProductsResponse.Builder response = SearchProductsResponse.newBuilder();
          for (int i = 0; i < Math.min(size, rows.size()); i++) {
            response.addHits(hit(tenantId, rows.get(i)));
          }
          if (rows.size() > size) {
            response.setNextPageToken(
                pageTokens.encode(cursor(fingerprint, sort, rows.get(size - 1))));
          }
          facets(response, query, groups);
          return response.build();
        });
  }

  /**
   * The words of a query that match names by similarity: letters and digits, three or more of them
   * (shorter ones are close to too much), neither excluded ({@code -word}) nor the {@code or} of
   * the web search syntax; at most eight.
   */
  static List<String> fuzzyWords(String text) {
    List<String> words = new java.util.ArrayList<>();
    for (String token : text.toLowerCase(Locale.ROOT).split("\\s+")) {
      if (token.startsWith("-") || token.equals("or")) {
        continue;
      }
      for (String word : token.split("[^\\p{L}\\p{N}]+")) {
        if (word.length() >= 3 && words.size() < 8 && !words.contains(word)) {
          words.add(word);
        }
      }
    }
    return words;
  }

  private static SearchQuery.Sort sort(ProductSearchSort sort, boolean hasText) {
    return switch (sort) {
      case PRODUCT_SEARCH_SORT_RELEVANCE ->
          hasText ? SearchQuery.Sort.RELEVANCE : SearchQuery.Sort.NEWEST;
      case PRODUCT_SEARCH_SORT_PRICE_ASCENDING -> SearchQuery.Sort.PRICE_ASCENDING;
      case PRODUCT_SEARCH_SORT_PRICE_DESCENDING -> SearchQuery.Sort.PRICE_DESCENDING;
      case PRODUCT_SEARCH_SORT_NEWEST -> SearchQuery.Sort.NEWEST;
      case PRODUCT_SEARCH_SORT_UNSPECIFIED, UNRECOGNIZED ->
          hasText ? SearchQuery.Sort.RELEVANCE : SearchQuery.Sort.NEWEST;
    };
  }

  private static PageCursor cursor(
      String fingerprint, SearchQuery.Sort sort, SearchStore.SearchRow last) {
    String id = last.product().productId().toString();
    return switch (sort) {
      // The score as its shortest exact decimal: parsed back, it is the same double.
      case RELEVANCE -> PageCursor.of(fingerprint, Double.toString(last.score()), id);
      case PRICE_ASCENDING, PRICE_DESCENDING ->
          PageCursor.of(fingerprint, last.product().priceAmountMinor(), id);
      case NEWEST -> PageCursor.of(fingerprint, last.product().createTime(), id);
    };
  }

  private static SearchQuery.After after(SearchQuery.Sort sort, PageCursor cursor) {
    UUID id = UUID.fromString(cursor.string(1));
    return switch (sort) {
      case RELEVANCE -> new SearchQuery.After(id, Double.parseDouble(cursor.string(0)), 0, null);
      case PRICE_ASCENDING, PRICE_DESCENDING ->
          new SearchQuery.After(id, 0, cursor.longValue(0), null);
      case NEWEST -> new SearchQuery.After(id, 0, 0, cursor.instant(0));
    };
  }

  private static ProductSearchHit hit(UUID tenantId, SearchStore.SearchRow row) {
    ProductSearchHit.Builder hit =
        ProductSearchHit.newBuilder()
            .setProduct(row.product().toProto(tenantId))
            .setAvailable(row.available())
            .setScore(row.score())
            .setName(Highlights.parse(row.nameMarked()));
    HighlightedText snippet = Highlights.parse(row.snippet());
    if (snippet.getHighlightsCount() > 0) {
      hit.setDescriptionSnippet(snippet);
    }
    return hit.build();
  }

  /** Sums the grouped counts into the total and the facets, each facet without its own filter. */
  private static void facets(
      SearchProductsResponse.Builder response, SearchQuery q, List<SearchStore.FacetGroup> groups) {
    long total = 0;
    long inStock = 0;
    long outOfStock = 0;
    Map<String, Long> currencies = new TreeMap<>();
    long[] bands = new long[PriceBands.LOWER_BOUNDS.size()];
    for (SearchStore.FacetGroup g : groups) {
      boolean currencyOk = q.currency().isEmpty() || q.currency().equals(g.currency());
      boolean stockOk = !q.inStockOnly() || g.inStock();
      if (currencyOk && g.priceOk() && stockOk) {
        total += g.count();
      }
      if (g.priceOk() && stockOk) {
        currencies.merge(g.currency(), g.count(), Long::sum);
      }
      if (currencyOk && stockOk) {
        bands[g.band()] += g.count();
      }
      if (currencyOk && g.priceOk()) {
        if (g.inStock()) {
          inStock += g.count();
        } else {
          outOfStock += g.count();
        }
      }
    }
    ProductSearchFacets.Builder facets =
        ProductSearchFacets.newBuilder().setInStock(inStock).setOutOfStock(outOfStock);
    currencies.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                facets.addCurrencies(
                    ProductSearchFacets.CurrencyCount.newBuilder()
                        .setCurrency(e.getKey())
                        .setCount(e.getValue())));
    for (int band = 0; band < bands.length; band++) {
      facets.addPriceBands(
          ProductSearchFacets.PriceBandCount.newBuilder()
              .setMinAmountMinor(PriceBands.LOWER_BOUNDS.get(band))
              .setMaxAmountMinor(PriceBands.upperBound(band))
              .setCount(bands[band]));
    }
    response.setTotalSize(total).setFacets(facets);
  }
}
