package dev.lattice.inventory.search;

import com.google.protobuf.util.Timestamps;
import dev.lattice.inventory.v1.Product;
import java.time.Instant;
import java.util.UUID;

/**
 * The product side of a search document: the fields a product event carries.
 *
 * @param tenantId the tenant; null when read back by a search (the search knows it)
 */
record IndexedProduct(
    UUID tenantId,
    UUID productId,
    String sku,
    String name,
    String description,
    long priceAmountMinor,
    String currency,
    Instant createTime,
    Instant updateTime,
    long version) {

  /** The fields of {@code product}, as ProductCreated and ProductUpdated carry it. */
  static IndexedProduct of(UUID tenantId, Product product) {
    return new IndexedProduct(
        tenantId,
        UUID.fromString(product.getId()),
        product.getSku(),
        product.getName(),
        product.getDescription(),
        product.getPriceAmountMinor(),
        product.getCurrency(),
        instant(product.getCreateTime()),
        instant(product.getUpdateTime()),
        product.getVersion());
  }

  /** As the API shows it: live, at its version, in {@code tenantId}. */
  Product toProto(UUID tenant) {
    return Product.newBuilder()
        .setId(productId.toString())
        .setTenantId(tenant.toString())
        .setSku(sku)
        .setName(name)
        .setDescription(description)
        .setPriceAmountMinor(priceAmountMinor)
        .setCurrency(currency)
        .setCreateTime(Timestamps.fromMillis(createTime.toEpochMilli()))
        .setUpdateTime(Timestamps.fromMillis(updateTime.toEpochMilli()))
        .setVersion(version)
        .build();
  }

  private static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
