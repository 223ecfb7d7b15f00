package dev.lattice.orders.order;

import java.util.Objects;
import java.util.UUID;

/**
 * One line of an order: a product with the price captured when the order was placed. Lines never
 * change. Immutable.
 *
 * @param productId the product
 * @param sku the product's SKU at the time
 * @param name the product's name at the time
 * @param quantity how many units
 * @param unitPriceAmountMinor the unit price at the time, in the order's currency's minor units
 * @param lineTotalAmountMinor unit price × quantity
 */
public record OrderLine(
    UUID productId,
    String sku,
    String name,
    int quantity,
    long unitPriceAmountMinor,
    long lineTotalAmountMinor) {

  /** Checks the required parts. */
  public OrderLine {
    Objects.requireNonNull(productId, "productId");
    Objects.requireNonNull(sku, "sku");
    Objects.requireNonNull(name, "name");
  }
}
