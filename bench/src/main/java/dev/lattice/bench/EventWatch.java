package dev.lattice.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.StockLine;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderPaid;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What the saga does, as the event stream shows it: a plain NATS subscription to every Lattice
 * subject, so it sees each event when the outbox relay publishes it. It measures
 *
 * <ul>
 *   <li>outbox commit-to-consumer lag: the time from the event's {@code occurred_at} (its outbox
 *       row's transaction time) to its arrival here, a consumer like any other;
 *   <li>CreateOrder→PAID: from the driver's answer to CreateOrder to the order's OrderPaid;
 *   <li>counts of orders created, paid and cancelled, and of reservations for a watched product.
 * </ul>
 *
 * <p>A plain subscription sees every publish, also the relay's second publish of an event the
 * stream did not ack in time (after a broker stall), which the stream itself de-duplicates by its
 * {@code Nats-Msg-Id}: an event is counted once, by its {@code event_id}. Counted twice, an
 * OrderCreated made the drain wait its whole limit for an order that was long paid.
 */
final class EventWatch implements AutoCloseable {

  private static final int RECENT_EVENTS = 1 << 18;

  final Recorder lagMicros = new Recorder(3);
  final Recorder toPaidMicros = new Recorder(3);
  final LongAdder created = new LongAdder();
  final LongAdder paid = new LongAdder();
  final LongAdder cancelled = new LongAdder();
  final LongAdder hotReserved = new LongAdder();
  final LongAdder hotRejected = new LongAdder();
  final LongAdder reservationsDecided = new LongAdder();
  private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
  private final Set<String> createdOrders = ConcurrentHashMap.newKeySet();
  private final Set<String> hotOrders = ConcurrentHashMap.newKeySet();
  private volatile boolean trackCreated;
  // Micros since the epoch: orders committed before the collection began are not collected.
  private volatile long collectSinceMicros;
  private volatile String hotProduct = "";
  private final Dispatcher dispatcher;
  // Touched only on the dispatcher's one thread. A republish follows its first publish within the
  // relay's ack wait and backoff, seconds; the last 2^18 events cover minutes at any rate here.
  private final Set<String> recentEvents =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > RECENT_EVENTS;
            }
          });

  EventWatch(Connection nats) throws InterruptedException, java.util.concurrent.TimeoutException {
    dispatcher = nats.createDispatcher(message -> handle(message.getData()));
    dispatcher.subscribe("lattice.>");
    nats.flush(Duration.ofSeconds(5));
  }

  private void handle(byte[] data) {
    Instant now = Instant.now();
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return; // not an event (e.g. a dead letter's own subject)
    }
    if (!recentEvents.add(envelope.getEventId())) {
      return; // published again; the stream kept one
    }
    long occurred =
        envelope.getOccurredAt().getSeconds() * 1_000_000L
            + envelope.getOccurredAt().getNanos() / 1_000;
    if (envelope.hasOccurredAt()) {
      lagMicros.recordValue(Math.max(0, micros(now) - occurred));
    }
    try {
      var payload = envelope.getPayload();
      if (payload.is(OrderCreated.class)) {
        created.increment();
        if (trackCreated && occurred >= collectSinceMicros) {
          createdOrders.add(payload.unpack(OrderCreated.class).getOrderId());
        }
      } else if (payload.is(OrderPaid.class)) {
        paid.increment();
        Long answered = answeredAt.remove(payload.unpack(OrderPaid.class).getOrderId());
        if (answered != null) {
          toPaidMicros.recordValue(Math.max(0, System.nanoTime() - answered) / 1_000);
        }
      } else if (payload.is(OrderCancelled.class)) {
        cancelled.increment();
        answeredAt.remove(payload.unpack(OrderCancelled.class).getOrderId());
      } else if (payload.is(StockReserved.class)) {
        reservationsDecided.increment();
        if (names(payload.unpack(StockReserved.class).getLinesList())) {
          hotReserved.increment();
        }
      } else if (payload.is(StockRejected.class)) {
        reservationsDecided.increment();
        if (hotOrders.contains(payload.unpack(StockRejected.class).getOrderId())) {
          hotRejected.increment();
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean names(java.util.List<StockLine> lines) {
    for (StockLine line : lines) {
      if (line.getProductId().equals(hotProduct)) {
        return true;
      }
    }
    return false;
  }

  /** Counts reservations and rejections of orders for {@code productId} from now on. */
  void watchProduct(String productId) {
    hotProduct = productId;
    hotReserved.reset();
    hotRejected.reset();
  }

  /** An order of the watched product (a rejection names the order, not its lines). */
  void hotOrder(String orderId) {
    hotOrders.add(orderId);
  }

  /** The driver got CreateOrder's answer for {@code orderId} at {@code nanoTime}. */
  void answered(String orderId, long nanoTime) {
    answeredAt.put(orderId, nanoTime);
  }

  /** Orders answered whose OrderPaid (or OrderCancelled) has not arrived. */
  int awaitingPayment() {
    return answeredAt.size();
  }

  /** Forgets orders still awaited (between rows). */
  void forgetAwaited() {
    answeredAt.clear();
  }

  /**
   * Collects the ids of orders created from now on (the retry storm's exactly-once check): by the
   * event's occurred_at, not its arrival, so an earlier row's order still in an outbox is not
   * counted as one of the storm's.
   */
  Set<String> collectCreated() {
    createdOrders.clear();
    collectSinceMicros = micros(Instant.now());
    trackCreated = true;
    return createdOrders;
  }

  void stopCollecting() {
    trackCreated = false;
  }

  @Override
  public void close() {
    dispatcher.unsubscribe("lattice.>");
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }
}
