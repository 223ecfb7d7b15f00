package dev.lattice.inventory.catalog;

import java.util.Optional;
import java.util.UUID;

/**
 * A page of ListProducts: the filters, the keyset position and the size, ordered by SKU then id.
 *
 * @param tenantId the tenant
 * @param skuPrefix only SKUs starting with this; empty matches any
 * @param nameContains only names containing this, ignoring case; empty matches any
 * @param showDeleted whether deleted products are included
 * @param after only products after this one in (sku, id) order
 * @param limit the most products returned
 */
record ProductQuery(
    UUID tenantId,
    String skuPrefix,
    String nameContains,
    boolean showDeleted,
    Optional<After> after,
    int limit) {

  /** The (sku, id) of the last product of the previous page. */
  record After(String sku, UUID id) {}
}
