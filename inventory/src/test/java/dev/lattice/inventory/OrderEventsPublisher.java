package dev.lattice.inventory;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Publishes ORDERS events the way orders' outbox relay does: an Envelope on {@code
 * lattice.orders.<event_name>} with {@code Nats-Msg-Id} = event id, into the ORDERS stream (created
 * here with the platform's defaults, since no orders service runs in these tests).
 */
final class OrderEventsPublisher implements AutoCloseable {

  private static final String ORDERS = "orders";

  /** Inventory's durable consumers of the ORDERS stream. */
  private static final List<String> CONSUMERS =
      List.of(
          "inventory-order-created",
          "inventory-order-paid",
          "inventory-order-cancelled",
          "inventory-order-refunded");

  private final Connection connection;

  private OrderEventsPublisher(Connection connection) {
    this.connection = connection;
  }

  /** Connects to {@code natsUrl} and makes sure the ORDERS stream exists. */
  static OrderEventsPublisher open(String natsUrl) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    EventStreams.ensureServiceStream(connection.jetStreamManagement(), ORDERS);
    return new OrderEventsPublisher(connection);
  }

  /** An OrderCreated of {@code orderId} with one line per entry of {@code quantities}. */
  static OrderCreated created(UUID orderId, Map<String, Integer> quantities) {
    OrderCreated.Builder order =
        OrderCreated.newBuilder()
            .setOrderId(orderId.toString())
            .setCustomerId(UUID.randomUUID().toString())
            .setCurrency("EUR")
            .setPaymentMethodToken("tok_visa");
    quantities.forEach(
        (productId, quantity) ->
            order.addLines(
                OrderLine.newBuilder()
                    .setProductId(productId)
                    .setSku("SKU")
                    .setName("Widget")
                    .setQuantity(quantity)
                    .setUnitPriceAmountMinor(1000)
                    .setLineTotalAmountMinor(1000L * quantity)));
    return order.build();
  }

  static OrderPaid paid(UUID orderId) {
    return OrderPaid.newBuilder()
        .setOrderId(orderId.toString())
        .setPaymentId(UUID.randomUUID().toString())
        .setCurrency("EUR")
        .build();
  }

  static OrderCancelled cancelled(UUID orderId) {
    return OrderCancelled.newBuilder().setOrderId(orderId.toString()).build();
  }

  static OrderRefunded refunded(UUID orderId) {
    return OrderRefunded.newBuilder()
        .setOrderId(orderId.toString())
        .setRefundId(UUID.randomUUID().toString())
        .setCurrency("EUR")
        .build();
  }

  /** Publishes {@code payload} as a fresh event of order {@code orderId} in {@code tenantId}. */
  Envelope publish(UUID tenantId, UUID orderId, Message payload) throws Exception {
    Envelope envelope = envelope(tenantId, orderId, payload);
    publish(envelope, envelope.getEventId());
    return envelope;
  }

  /**
   * Publishes {@code envelope} again under another {@code Nats-Msg-Id}, so that the stream does not
   * drop it as a duplicate: the consumer receives the same event id a second time, as after a
   * dead-letter replay.
   */
  void redeliver(Envelope envelope) throws Exception {
    publish(envelope, envelope.getEventId() + ":replay:" + UUID.randomUUID());
  }

  /**
   * True when each of inventory's ORDERS consumers has acknowledged every message of the stream
   * (handled or recognised as a duplicate): the effects of everything published so far are
   * committed.
   */
  boolean allConsumed() throws Exception {
    for (String durable : CONSUMERS) {
      ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo("ORDERS", durable);
      if (info.getNumPending() > 0 || info.getNumAckPending() > 0) {
        return false;
      }
    }
    return true;
  }

  private void publish(Envelope envelope, String messageId) throws Exception {
    PublishAck ack =
        connection
            .jetStream()
            .publish(
                envelope.getType(),
                envelope.toByteArray(),
                PublishOptions.builder().messageId(messageId).build());
    if (ack.isDuplicate()) {
      throw new IllegalStateException("the stream dropped " + messageId + " as a duplicate");
    }
  }

  private static Envelope envelope(UUID tenantId, UUID orderId, Message payload) {
    Instant now = Instant.now();
    return Envelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setType(EventSubjects.subject(ORDERS, payload.getDescriptorForType()))
        .setSource(ORDERS)
        .setTenantId(tenantId.toString())
        .setAggregateType("order")
        .setAggregateId(orderId.toString())
        .setAggregateVersion(1)
        .setActor(Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId(ORDERS))
        .setOccurredAt(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setPayload(Any.pack(payload))
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
