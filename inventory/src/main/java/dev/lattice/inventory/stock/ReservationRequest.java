package dev.lattice.inventory.stock;

import java.util.List;
import java.util.UUID;

/**
 * What an OrderCreated asks inventory to reserve.
 *
 * @param tenantId the order's tenant
 * @param orderId the order
 * @param lines the order's lines; several lines of one product are reserved together
 */
public record ReservationRequest(UUID tenantId, UUID orderId, List<ReservationLine> lines) {

  /** Copies the lines. */
  public ReservationRequest {
    lines = List.copyOf(lines);
  }
}
