package dev.lattice.inventory.stock;

import dev.lattice.inventory.v1.StockLine;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Units of one product held by a reservation.
 *
 * @param productId the product
 * @param quantity units, at least 1
 */
public record ReservationLine(UUID productId, long quantity) {

  /** Checks the quantity. */
  public ReservationLine {
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be at least 1: " + quantity);
    }
  }

  /**
   * One line per product with the quantities of {@code lines} summed, in product-id order: the
   * order every flow locks stock rows in, so that two transactions never wait on each other in a
   * cycle.
   */
  public static List<ReservationLine> merged(Collection<ReservationLine> lines) {
    Map<UUID, Long> byProduct = new TreeMap<>();
    for (ReservationLine line : lines) {
      byProduct.merge(line.productId(), line.quantity(), Math::addExact);
    }
    return byProduct.entrySet().stream()
        .map(e -> new ReservationLine(e.getKey(), e.getValue()))
        .toList();
  }

  /** The proto form used by the stock events. */
  public StockLine toProto() {
    return StockLine.newBuilder().setProductId(productId.toString()).setQuantity(quantity).build();
  }

  /** The proto forms of {@code lines}, in their order. */
  static List<StockLine> toProto(List<ReservationLine> lines) {
    return lines.stream().map(ReservationLine::toProto).toList();
  }
}
