package dev.lattice.inventory.stock;

/**
 * Where a reservation is in its life, as stored in {@code reservations.status}: ACTIVE → COMMITTED
 * → RETURNED; ACTIVE → RELEASED | EXPIRED; an order paid after its reservation expired or was
 * released moves EXPIRED/RELEASED → COMMITTED (decision 0008).
 */
enum ReservationStatus {
  /** Holds reserved units until paid, cancelled or expired. */
  ACTIVE,
  /** The order was paid; the units are sold. */
  COMMITTED,
  /**
   * The order was cancelled before payment; the units went back to available. Without lines: the
   * cancellation arrived before the order's OrderCreated, which then reserves nothing.
   */
  RELEASED,
  /** Not paid in time; the expiry job put the units back to available. */
  EXPIRED,
  /** The paid order was refunded; the sold units went back to available. */
  RETURNED
}
