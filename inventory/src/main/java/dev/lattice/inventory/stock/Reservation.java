package dev.lattice.inventory.stock;

import java.util.UUID;

/**
 * The reservation of an order's units, as stored. Immutable.
 *
 * @param id the reservation
 * @param tenantId the order's tenant
 * @param orderId the order
 * @param status where it is in its life
 * @param version bumped by every transition
 */
record Reservation(UUID id, UUID tenantId, UUID orderId, ReservationStatus status, long version) {

  /** This reservation in {@code status} at the next version. */
  Reservation movedTo(ReservationStatus status) {
    return new Reservation(id, tenantId, orderId, status, version + 1);
  }
}
