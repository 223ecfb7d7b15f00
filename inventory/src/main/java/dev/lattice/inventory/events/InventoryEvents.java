package dev.lattice.inventory.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends inventory's events to the outbox inside the caller's transaction. Product events have
 * aggregate type {@value #PRODUCT}, StockAdjusted {@value #STOCK} (aggregate id = product id), the
 * saga's events {@value #RESERVATION} (aggregate id = reservation id), except a StockRejected of an
 * order that never had a reservation: {@value #ORDER} (aggregate id = order id, version 1).
 */
public final class InventoryEvents {

  /** Aggregate type of ProductCreated, ProductUpdated and ProductDeleted. */
  public static final String PRODUCT = "product";

  /** Aggregate type of StockAdjusted. */
  public static final String STOCK = "stock";

  /**
   * Aggregate type of StockReserved, StockCommitted, StockReleased, StockReturned,
   * ReservationExpired.
   */
  public static final String RESERVATION = "reservation";

  /** Aggregate type of MediaUploaded, MediaScanned, MediaQuarantined and MediaDeleted. */
  public static final String MEDIA = "media";

  /** Aggregate type of a StockRejected of an order that has no reservation. */
  public static final String ORDER = "order";

  /** The actor of what inventory does on its own: event handlers and the expiry job. */
  public static final Actor SYSTEM =
      Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("inventory").build();

  private final OutboxWriter outbox;

  public InventoryEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** An event about product {@code productId} at {@code version}. */
  public void product(
      DSLContext tx, UUID tenantId, UUID productId, long version, Actor actor, Message payload) {
    append(tx, tenantId, PRODUCT, productId, version, actor, payload);
  }

  /** An event about product file {@code mediaId} at {@code version}. */
  public void media(
      DSLContext tx, UUID tenantId, UUID mediaId, long version, Actor actor, Message payload) {
    append(tx, tenantId, MEDIA, mediaId, version, actor, payload);
  }

  /** An event about the stock of {@code productId} at stock {@code version}. */
  public void stock(
      DSLContext tx, UUID tenantId, UUID productId, long version, Actor actor, Message payload) {
    append(tx, tenantId, STOCK, productId, version, actor, payload);
  }

  /**
   * A saga event about reservation {@code reservationId} at {@code version}, by the system actor.
   *
   * @param causationId the event that caused it, or null (the expiry job)
   */
  public void reservation(
      DSLContext tx,
      UUID tenantId,
      UUID reservationId,
      long version,
      Message payload,
      String causationId) {
    append(tx, tenantId, RESERVATION, reservationId, version, SYSTEM, payload, causationId);
  }

  /**
   * A StockRejected of order {@code orderId}, which has no reservation, caused by {@code
   * causationId}.
   */
  public void orderRejected(
      DSLContext tx, UUID tenantId, UUID orderId, Message payload, String causationId) {
    append(tx, tenantId, ORDER, orderId, 1, SYSTEM, payload, causationId);
  }

  private void append(
      DSLContext tx,
      UUID tenantId,
      String aggregateType,
      UUID aggregateId,
      long version,
      Actor actor,
      Message payload) {
    append(tx, tenantId, aggregateType, aggregateId, version, actor, payload, null);
  }

  private void append(
      DSLContext tx,
      UUID tenantId,
      String aggregateType,
      UUID aggregateId,
      long version,
      Actor actor,
      Message payload,
      String causationId) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(tenantId)
            .aggregate(aggregateType, aggregateId.toString(), version)
            .actor(actor)
            .payload(payload)
            .causationId(causationId)
            .build());
  }
}
