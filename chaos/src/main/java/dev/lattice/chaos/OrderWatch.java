package dev.lattice.chaos;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells a waiting customer when her order's saga has ended, from orders' own events ({@code
 * OrderPaid}, {@code OrderCancelled}, {@code OrderRefunded}) on a plain NATS subscription: a
 * thousand customers asking GetOrder every second would be a load of its own. While NATS is down
 * nothing arrives and the customers fall back to asking (see {@link Checkouts}). Thread-safe.
 */
final class OrderWatch implements AutoCloseable {

  private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
  private final Connection nats;
  private final Dispatcher dispatcher;

  OrderWatch(Connection nats) {
    this.nats = nats;
    this.dispatcher = nats.createDispatcher(message -> seen(message.getData()));
    dispatcher.subscribe("lattice.orders.>");
  }

  /** A future completed with {@code PAID}, {@code CANCELLED} or {@code REFUNDED}. */
  CompletableFuture<String> ended(String orderId) {
    return waiting.computeIfAbsent(orderId, id -> new CompletableFuture<>());
  }

  /** Forgets {@code orderId} (its customer has moved on). */
  void forget(String orderId) {
    waiting.remove(orderId);
  }

  private void seen(byte[] data) {
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    String type = envelope.getType();
    String status =
        type.endsWith(".OrderPaid")
            ? "PAID"
            : type.endsWith(".OrderCancelled")
                ? "CANCELLED"
                : type.endsWith(".OrderRefunded") ? "REFUNDED" : null;
    if (status != null) {
      CompletableFuture<String> future = waiting.get(envelope.getAggregateId());
      if (future != null) {
        future.complete(status);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    nats.closeDispatcher(dispatcher);
    nats.close();
  }
}
