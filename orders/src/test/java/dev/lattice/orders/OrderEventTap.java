package dev.lattice.orders;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * What orders publishes, as a consumer would see it: every envelope on {@code lattice.orders.>}
 * (a plain NATS subscription receives what the relay publishes to JetStream).
 */
final class OrderEventTap implements AutoCloseable {

  private final Connection connection;
  private final List<Envelope> envelopes = new CopyOnWriteArrayList<>();

  private OrderEventTap(Connection connection) {
    this.connection = connection;
  }

  static OrderEventTap open(String natsUrl) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    OrderEventTap tap = new OrderEventTap(connection);
    Dispatcher dispatcher = connection.createDispatcher(message -> {
      try {
        tap.envelopes.add(Envelope.parseFrom(message.getData()));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("not an envelope on " + message.getSubject(), e);
      }
    });
    dispatcher.subscribe("lattice.orders.>");
    connection.flush(Duration.ofSeconds(5));
    return tap;
  }

  /** Waits up to 15 s for an envelope of {@code type} whose payload matches {@code filter}. */
  <T extends Message> Envelope await(Class<T> type, Predicate<T> filter) {
    return Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(() -> find(type, filter), found -> found != null);
  }

  /** Envelopes of {@code type} whose payload matches {@code filter}, seen so far. */
  <T extends Message> List<Envelope> all(Class<T> type, Predicate<T> filter) {
    return envelopes.stream()
        .filter(e -> e.getPayload().is(type) && filter.test(unpack(e, type)))
        .toList();
  }

  /** Every envelope about order {@code orderId}, in arrival order. */
  List<Envelope> ofOrder(String orderId) {
    return envelopes.stream().filter(e -> e.getAggregateId().equals(orderId)).toList();
  }

  private <T extends Message> Envelope find(Class<T> type, Predicate<T> filter) {
    return all(type, filter).stream().findFirst().orElse(null);
  }

  static <T extends Message> T unpack(Envelope envelope, Class<T> type) {
    try {
      return envelope.getPayload().unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
