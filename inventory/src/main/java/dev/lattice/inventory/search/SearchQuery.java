package dev.lattice.inventory.search;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A search as the store runs it: the tenant, the text (read in the tenant's text search
 * configuration, which the statements look up themselves), the filters, the order, where the
 * previous page ended and how many rows to read.
 *
 * @param fuzzyWords the words that, all close to words of a name, match it without the full text;
 *     empty to match the words as typed only
 * @param minPrice null for no lower bound
 * @param maxPrice null for no upper bound
 * @param after null for the first page
 */
record SearchQuery(
    UUID tenantId,
    String text,
    List<String> fuzzyWords,
    String currency,
    Long minPrice,
    Long maxPrice,
    boolean inStockOnly,
    Sort sort,
    After after,
    int limit) {

  /** The orders a search can return. */
  enum Sort {
    RELEVANCE,
    PRICE_ASCENDING,
    PRICE_DESCENDING,
    NEWEST
  }

  /** The sort keys of the previous page's last row; only those of the query's sort are set. */
  record After(UUID productId, double score, long price, Instant createTime) {}

  boolean hasText() {
    return !text.isEmpty();
  }

  /** The same search matching misspelt words too ({@code fuzzy}). */
  SearchQuery withFuzzyWords(List<String> fuzzy) {
    return new SearchQuery(
        tenantId, text, fuzzy, currency, minPrice, maxPrice, inStockOnly, sort, after, limit);
  }
}
