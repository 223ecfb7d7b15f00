package dev.lattice.mesh;

import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.Product;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.OrderPaid;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The order saga's figures ({@code ./mesh bench}): all six services in one JVM as {@code ./mesh up}
 * runs them, the sandbox card processor (20–80 ms per call, as a real one has latency), real
 * PostgreSQL and nats-server. For several concurrencies, CreateOrder calls/s and latency, and the
 * time from CreateOrder's answer to the OrderPaid event on the ORDERS stream (reservation, charge
 * at the processor, capture) for the same orders.
 */
public final class SagaBenchmark {

  private static final Duration RUN = Duration.ofSeconds(10);

  public static void main(String[] args) throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        NatsServer natsServer = NatsServer.start();
        SagaFleet saga = SagaFleet.start(postgres, natsServer.url(), Map.of(), Set.of());
        Connection nats = Nats.connect(natsServer.url())) {
      Map<String, Long> answeredAt = new ConcurrentHashMap<>();
      Recorder toPaid = new Recorder(3);
      Dispatcher dispatcher =
          nats.createDispatcher(
              message -> {
                long now = System.nanoTime();
                try {
                  Envelope envelope = Envelope.parseFrom(message.getData());
                  if (envelope.getPayload().is(OrderPaid.class)) {
                    Long answered =
                        answeredAt.remove(
                            envelope.getPayload().unpack(OrderPaid.class).getOrderId());
                    if (answered != null) {
                      toPaid.recordValue(Math.max(0, now - answered) / 1_000);
                    }
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      dispatcher.subscribe("lattice.orders.order_paid");
      nats.flush(Duration.ofSeconds(5));
      Product product = saga.product(1999, 100_000_000L);
      CreateOrderRequest request = SagaFleet.orderOf("tok_visa", product, 1);
      System.out.printf(
          "saga benchmark on %d cores, %d s per row; sandbox latency 20-80 ms per call%n",
          Runtime.getRuntime().availableProcessors(), RUN.toSeconds());
      System.out.printf(
          "%-12s %5s %9s %9s %9s %9s %12s %12s %12s%n",
          "CreateOrder",
          "conc",
          "calls/s",
          "p50 ms",
          "p99 ms",
          "max ms",
          "→PAID p50",
          "→PAID p99",
          "paid/s");
      for (int concurrency : new int[] {1, 8, 32}) {
        Recorder latency = new Recorder(3);
        toPaid.reset();
        long calls =
            ClosedLoop.run(
                concurrency,
                RUN,
                () -> {
                  long start = System.nanoTime();
                  String id =
                      saga.orders(saga.customerToken, UUID.randomUUID().toString())
                          .createOrder(request)
                          .getOrder()
                          .getId();
                  long end = System.nanoTime();
                  answeredAt.put(id, end);
                  latency.recordValue((end - start) / 1_000);
                });
        long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!answeredAt.isEmpty() && System.nanoTime() < waitUntil) {
          Thread.sleep(100);
        }
        Histogram created = latency.getIntervalHistogram();
        Histogram paid = toPaid.getIntervalHistogram();
        System.out.printf(
            "%-12s %5d %9.0f %9.1f %9.1f %9.1f %12.1f %12.1f %12s%n",
            "",
            concurrency,
            calls / (double) RUN.toSeconds(),
            created.getValueAtPercentile(50) / 1000.0,
            created.getValueAtPercentile(99) / 1000.0,
            created.getMaxValue() / 1000.0,
            paid.getValueAtPercentile(50) / 1000.0,
            paid.getValueAtPercentile(99) / 1000.0,
            paid.getTotalCount() + "/" + calls);
        answeredAt.clear();
      }
      Runtime runtime = Runtime.getRuntime();
      System.gc();
      System.out.printf(
          "heap in use after the runs (six services, one JVM): %d MiB%n",
          (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
    }
  }
}
