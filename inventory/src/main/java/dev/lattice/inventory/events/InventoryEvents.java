package dev.lattice.inventory.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends inventory's events to the outbox inside the caller's transaction. Product events have
 * aggregate type {@value #PRODUCT}, StockAdjusted {@value #STOCK} (aggregate id = product id).
 */
public final class InventoryEvents {

  /** Aggregate type of ProductCreated, ProductUpdated and ProductDeleted. */
  public static final String PRODUCT = "product";

  /** Aggregate type of StockAdjusted. */
  public static final String STOCK = "stock";

  private final OutboxWriter outbox;

  public InventoryEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** An event about product {@code productId} at {@code version}. */
  public void product(DSLContext tx, UUID tenantId, UUID productId, long version, Actor actor, Message payload) {
    append(tx, tenantId, PRODUCT, productId, version, actor, payload);
  }

  /** An event about the stock of {@code productId} at stock {@code version}. */
  public void stock(DSLContext tx, UUID tenantId, UUID productId, long version, Actor actor, Message payload) {
    append(tx, tenantId, STOCK, productId, version, actor, payload);
  }

  private void append(
      DSLContext tx, UUID tenantId, String aggregateType, UUID aggregateId, long version,
      Actor actor, Message payload) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(tenantId)
            .aggregate(aggregateType, aggregateId.toString(), version)
            .actor(actor)
            .payload(payload)
            .build());
  }
}
