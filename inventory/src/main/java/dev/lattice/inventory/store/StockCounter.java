package dev.lattice.inventory.store;

/** The three counters of a product's stock, between which reservations move units. */
public enum StockCounter {
  /** Units on sale. */
  AVAILABLE,
  /** Units held by ACTIVE reservations. */
  RESERVED,
  /** Units of paid orders. */
  SOLD
}
