package dev.lattice.orders.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.orders.lifecycle.OrderChange;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderState;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends orders' events to the outbox inside the caller's transaction: aggregate type {@value
 * #ORDER}, aggregate id the order id, aggregate version the order's version after the change. The
 * payloads are built from the order as it is now ({@link OrderEventPayloads}). Thread-safe.
 */
public final class OrderEvents {

  /** Aggregate type of every order event. */
  public static final String ORDER = "order";

  private final OutboxWriter outbox;

  public OrderEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /**
   * OrderCreated for a newly placed {@code order}.
   *
   * @param paymentMethodToken the token payments charges, carried by the event and stored nowhere
   *     in orders
   */
  public void created(DSLContext tx, Order order, Actor actor, String paymentMethodToken) {
    append(tx, order, actor, OrderEventPayloads.created(order, paymentMethodToken), null);
  }

  /**
   * The event of {@code order}'s move from {@code from} to its current status by {@code change}.
   *
   * @param causationId the event whose handling caused this one; null when an RPC did
   */
  public void changed(
      DSLContext tx,
      Order order,
      OrderState from,
      OrderChange change,
      Actor actor,
      UUID causationId) {
    append(tx, order, actor, OrderEventPayloads.changed(order, from, change), causationId);
  }

  private void append(DSLContext tx, Order order, Actor actor, Message payload, UUID causationId) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(order.tenantId())
            .aggregate(ORDER, order.id().toString(), order.version())
            .actor(actor)
            .payload(payload)
            .causationId(causationId == null ? null : causationId.toString())
            .build());
  }
}
