package dev.lattice.inventory.catalog;

import dev.lattice.inventory.v1.Product;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A product of a tenant's catalog as stored. Immutable.
 *
 * @param id the product
 * @param tenantId its tenant
 * @param sku its SKU, unique among the tenant's live products
 * @param name its name
 * @param description its description, possibly empty
 * @param priceAmountMinor its price in minor units of {@code currency}
 * @param currency ISO 4217 code
 * @param createTime when it was created
 * @param updateTime its last change
 * @param deleteTime when it was soft deleted; null while it is live
 * @param version bumped by every change
 */
public record ProductRow(
    UUID id,
    UUID tenantId,
    String sku,
    String name,
    String description,
    long priceAmountMinor,
    String currency,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime deleteTime,
    long version) {

  /** Whether the product was soft deleted. */
  public boolean deleted() {
    return deleteTime != null;
  }

  /**
   * The value of the field {@code path} of UpdateProduct's mask in {@code values}.
   *
   * @throws InvalidArgumentException for a path UpdateProduct cannot change
   */
  static Object requested(String path, Product values) {
    return switch (path) {
      case "sku" -> values.getSku();
      case "name" -> values.getName();
      case "description" -> values.getDescription();
      case "price_amount_minor" -> values.getPriceAmountMinor();
      case "currency" -> values.getCurrency();
      default -> throw InvalidArgumentException.forField("update_mask", "cannot update " + path);
    };
  }

  /** The current value of {@code path}, one of the paths {@link #requested} accepts. */
  Object field(String path) {
    return switch (path) {
      case "sku" -> sku;
      case "name" -> name;
      case "description" -> description;
      case "price_amount_minor" -> priceAmountMinor;
      default -> currency;
    };
  }

  /**
   * This product with {@code path} set to {@code value}, one of the paths {@link #requested}
   * accepts.
   */
  ProductRow with(String path, Object value) {
    return switch (path) {
      case "sku" ->
          new ProductRow(
              id,
              tenantId,
              (String) value,
              name,
              description,
              priceAmountMinor,
              currency,
              createTime,
              updateTime,
              deleteTime,
              version);
      case "name" ->
          new ProductRow(
              id,
              tenantId,
              sku,
              (String) value,
              description,
              priceAmountMinor,
              currency,
              createTime,
              updateTime,
              deleteTime,
              version);
      case "description" ->
          new ProductRow(
              id,
              tenantId,
              sku,
              name,
              (String) value,
              priceAmountMinor,
              currency,
              createTime,
              updateTime,
              deleteTime,
              version);
      case "price_amount_minor" ->
          new ProductRow(
              id,
              tenantId,
              sku,
              name,
              description,
              (Long) value,
              currency,
              createTime,
              updateTime,
              deleteTime,
              version);
      default ->
          new ProductRow(
              id,
              tenantId,
              sku,
              name,
              description,
              priceAmountMinor,
              (String) value,
              createTime,
              updateTime,
              deleteTime,
              version);
    };
  }

  /**
   * This product changed at {@code now}: the next version, deleted at {@code deleteTime} (or live).
   */
  ProductRow changedAt(OffsetDateTime now, OffsetDateTime deleteTime) {
    return new ProductRow(
        id,
        tenantId,
        sku,
        name,
        description,
        priceAmountMinor,
        currency,
        createTime,
        now,
        deleteTime,
        version + 1);
  }

  /** The proto form. */
  public Product toProto() {
    Product.Builder product =
        Product.newBuilder()
            .setId(id.toString())
            .setTenantId(tenantId.toString())
            .setSku(sku)
            .setName(name)
            .setDescription(description)
            .setPriceAmountMinor(priceAmountMinor)
            .setCurrency(currency)
            .setCreateTime(ProductStore.timestamp(createTime))
            .setUpdateTime(ProductStore.timestamp(updateTime))
            .setVersion(version);
    if (deleteTime != null) {
      product.setDeleteTime(ProductStore.timestamp(deleteTime));
    }
    return product.build();
  }
}
