package dev.lattice.inventory.store;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.v1.Stock;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The stock of one product: its three counters, whose sum only staff adjustments change. Immutable.
 *
 * @param productId the product
 * @param tenantId the product's tenant
 * @param available units on sale
 * @param reserved units held by ACTIVE reservations
 * @param sold units of paid orders
 * @param updateTime the last change
 * @param version the stock version, bumped by every change
 */
public record StockLevel(
    UUID productId,
    UUID tenantId,
    long available,
    long reserved,
    long sold,
    OffsetDateTime updateTime,
    long version) {

  /** The stock of a new product: {@code available} units, nothing reserved or sold, version 1. */
  public static StockLevel initial(
      UUID productId, UUID tenantId, long available, OffsetDateTime now) {
    return new StockLevel(productId, tenantId, available, 0, 0, now, 1);
  }

  /** This stock with {@code available} units on sale, at {@code now} and the next version. */
  public StockLevel withAvailable(long available, OffsetDateTime now) {
    return new StockLevel(productId, tenantId, available, reserved, sold, now, version + 1);
  }

  /** The proto form. */
  public Stock toProto() {
    return Stock.newBuilder()
        .setProductId(productId.toString())
        .setAvailable(available)
        .setReserved(reserved)
        .setSold(sold)
        .setVersion(version)
        .setUpdateTime(
            Timestamp.newBuilder()
                .setSeconds(updateTime.toEpochSecond())
                .setNanos(updateTime.getNano()))
        .build();
  }
}
