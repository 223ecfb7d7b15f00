package dev.lattice.inventory.search;

import java.util.List;

/**
 * The price bands of the search's price facet, in minor units: under 10.00, 10.00-49.99,
 * 50.00-99.99, 100.00-499.99, 500.00 and more, whatever the currency. Stateless.
 */
final class PriceBands {

  private PriceBands() {}

  /** The lower bounds of the bands, inclusive; each band ends where the next starts. */
  static final List<Long> LOWER_BOUNDS = List.of(0L, 1_000L, 5_000L, 10_000L, 50_000L);

  /** The band of a column named {@code price}, 0 to 4, as SQL. */
  static final String SQL_CASE =
      "case when price < 1000 then 0 when price < 5000 then 1 when price < 10000 then 2"
          + " when price < 50000 then 3 else 4 end";

  /** The exclusive upper bound of band {@code band}; 0 for the last, which has none. */
  static long upperBound(int band) {
    return band + 1 < LOWER_BOUNDS.size() ? LOWER_BOUNDS.get(band + 1) : 0;
  }
}
