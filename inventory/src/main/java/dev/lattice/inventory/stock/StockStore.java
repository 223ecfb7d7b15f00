package dev.lattice.inventory.stock;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.store.jooq.tables.records.StockRecord;
import dev.lattice.inventory.v1.Stock;

/** The proto form of stock rows. */
public final class StockStore {

  private StockStore() {}

  /** The proto form of a stock row. */
  public static Stock toProto(StockRecord row) {
    return Stock.newBuilder()
        .setProductId(row.getProductId().toString())
        .setAvailable(row.getAvailable())
        .setReserved(row.getReserved())
        .setSold(row.getSold())
        .setVersion(row.getVersion())
        .setUpdateTime(Timestamp.newBuilder()
            .setSeconds(row.getUpdateTime().toEpochSecond())
            .setNanos(row.getUpdateTime().getNano()))
        .build();
  }
}
