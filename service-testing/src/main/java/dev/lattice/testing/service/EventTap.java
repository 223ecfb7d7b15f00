package dev.lattice.testing.service;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What a service publishes, as a consumer would see it: every envelope on {@code
 * lattice.<service>.>} (a plain NATS subscription receives what the relay publishes to JetStream),
 * and the trace context each came with. Thread-safe.
 */
public final class EventTap implements AutoCloseable {

  private final Connection connection;
  private final List<Envelope> envelopes = new CopyOnWriteArrayList<>();
  private final Map<String, String> traceparents = new ConcurrentHashMap<>();

  private EventTap(Connection connection) {
    this.connection = connection;
  }

  /** Subscribes to the events of {@code service} (e.g. {@code inventory}) on {@code natsUrl}. */
  public static EventTap open(String natsUrl, String service) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    EventTap tap = new EventTap(connection);
    Dispatcher dispatcher =
        connection.createDispatcher(
            message -> {
              try {
                Envelope envelope = Envelope.parseFrom(message.getData());
                String traceparent =
                    message.getHeaders() == null
                        ? null
                        : message.getHeaders().getFirst("traceparent");
                if (traceparent != null) {
                  tap.traceparents.put(envelope.getEventId(), traceparent);
                }
                tap.envelopes.add(envelope);
              } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("not an envelope on " + message.getSubject(), e);
              }
            });
    dispatcher.subscribe("lattice." + service + ".>");
    connection.flush(Duration.ofSeconds(5));
    return tap;
  }

  /** Waits up to 15 s for an envelope carrying a {@code type} that matches {@code filter}. */
  public <T extends Message> Envelope await(Class<T> type, Predicate<T> filter) {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      for (Envelope envelope : envelopes) {
        if (envelope.getPayload().is(type) && filter.test(unpack(envelope, type))) {
          return envelope;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no matching " + type.getSimpleName() + " arrived within 15 s");
  }

  /** Payloads of {@code type} seen so far that match {@code filter}. */
  public <T extends Message> List<T> all(Class<T> type, Predicate<T> filter) {
    return envelopes.stream()
        .filter(e -> e.getPayload().is(type))
        .map(e -> unpack(e, type))
        .filter(filter)
        .toList();
  }

  /**
   * Every envelope about aggregate {@code aggregateId} (an order, a product …), in arrival order.
   */
  public List<Envelope> ofAggregate(String aggregateId) {
    return envelopes.stream().filter(e -> e.getAggregateId().equals(aggregateId)).toList();
  }

  /**
   * The trace id of the {@code traceparent} header {@code envelope} arrived with, if it had one.
   */
  public Optional<String> traceId(Envelope envelope) {
    return Optional.ofNullable(traceparents.get(envelope.getEventId()))
        .map(traceparent -> traceparent.split("-")[1]);
  }

  /** The payload of {@code envelope} as a {@code type}. */
  public static <T extends Message> T unpack(Envelope envelope, Class<T> type) {
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
