package dev.lattice.orders.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends orders' events to the outbox inside the caller's transaction: aggregate type {@value
 * #ORDER}, aggregate id the order id, aggregate version the order's version after the change.
 */
public final class OrderEvents {

  /** Aggregate type of every order event. */
  public static final String ORDER = "order";

  private final OutboxWriter outbox;

  public OrderEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /**
   * An event about {@code order} as it is now.
   *
   * @param causationId the event whose handling caused this one; null when an RPC did
   */
  public void append(DSLContext tx, OrdersRecord order, Actor actor, Message payload, UUID causationId) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(order.getTenantId())
            .aggregate(ORDER, order.getId().toString(), order.getVersion())
            .actor(actor)
            .payload(payload)
            .causationId(causationId == null ? null : causationId.toString())
            .build());
  }
}
