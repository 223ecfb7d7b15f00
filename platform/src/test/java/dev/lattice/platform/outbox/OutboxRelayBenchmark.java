package dev.lattice.platform.outbox;

import dev.lattice.events.v1.Envelope;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.MessageConsumer;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jooq.DSLContext;

/**
 * Measures the outbox relay on this machine (not a test; nothing is asserted):
 *
 * <ol>
 *   <li><b>Drain throughput</b>: {@value #PREFILL} rows (over {@value #PREFILL_AGGREGATES}
 *       aggregates, {@value #PREFILL_PER_AGGREGATE} versions each) are written first; then one
 *       relay, and separately two relays, publish them all. Events/s = rows / time from start to
 *       the empty outbox.
 *   <li><b>Commit-to-handler latency</b> at a fixed rate: writers commit one event per transaction
 *       at {@value #RATE_PER_SECOND}/s for {@value #MEASURE_SECONDS} s (after a warm-up), one relay
 *       publishes, and a JetStream consumer in this process records, per event, the time from the
 *       writer's commit returning to the consumer's handler receiving the message (HdrHistogram,
 *       microseconds).
 * </ol>
 *
 * Beside them, the ceiling: how many messages/s the same nats-server stores from asynchronous
 * publishes (with {@code sync_interval: always}, the disk's fsync rate). Real PostgreSQL and
 * nats-server from {@code local-servers}, started and stopped here. Run:
 *
 * <pre>
 * ./mvnw -q -o -pl platform exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.lattice.platform.outbox.OutboxRelayBenchmark
 * </pre>
 */
public final class OutboxRelayBenchmark {

  private static final int PREFILL = 50_000;
  private static final int PREFILL_AGGREGATES = 10_000;
  private static final int PREFILL_PER_AGGREGATE = PREFILL / PREFILL_AGGREGATES;
  private static final int HOT_EVENTS = 3_000;
  private static final int RATE_PER_SECOND = 1_000;
  private static final int WRITERS = 8;
  private static final int WARMUP_SECONDS = 3;
  private static final int MEASURE_SECONDS = 20;

  private OutboxRelayBenchmark() {}

  public static void main(String[] args) throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        NatsServer natsServer = NatsServer.start()) {
      postgres.createDatabase("bench");
      DbConfig dbConfig =
          DbConfig.of(postgres.jdbcUrl("bench"), postgres.user(), "", "bench").withPoolSize(16);
      try (Database db = Database.open(dbConfig);
          Connection nats = NatsConnector.connect(natsServer.url(), "bench")) {
        Migrations.migrate(db.dataSource());
        List<String> rows = new ArrayList<>();
        rows.add(
            String.format(
                "nats-server %s (fsync every write: %s), PostgreSQL fsync off, %d cores",
                natsServer.version(),
                natsServer.syncsEveryWrite(),
                Runtime.getRuntime().availableProcessors()));
        rows.add(
            String.format(
                "ceiling: JetStream stores %,.0f messages/s (async publishes, 256 in flight)",
                OutboxTestSupport.brokerRate(nats, "ceiling", 20_000)));
        rows.add(drain(db, dbConfig, nats, "drain_one", 1));
        rows.add(drain(db, dbConfig, nats, "drain_two", 2));
        rows.add(hotAggregate(db, dbConfig, nats));
        rows.add(latency(db, dbConfig, nats));
        System.out.println();
        System.out.println("Outbox relay benchmark");
        rows.forEach(System.out::println);
      }
    }
  }

  /** Pre-fills the outbox and times {@code relays} relays emptying it. */
  private static String drain(
      Database db, DbConfig dbConfig, Connection nats, String service, int relays)
      throws Exception {
    EventStreams.ensureServiceStream(nats.jetStreamManagement(), service);
    DSLContext dsl = db.dsl();
    OutboxWriter writer = OutboxWriter.create(service, Telemetry.noop());
    for (int v = 1; v <= PREFILL_PER_AGGREGATE; v++) {
      for (int chunk = 0; chunk < PREFILL_AGGREGATES; chunk += 1_000) {
        List<OutboxEvent> events = new ArrayList<>(1_000);
        for (int a = chunk; a < chunk + 1_000; a++) {
          events.add(OutboxTestSupport.event("agg-" + a, v));
        }
        dsl.transaction(c -> writer.appendAll(c.dsl(), events));
      }
    }
    dsl.execute("analyze outbox_events");
    List<OutboxRelay> running = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < relays; i++) {
      OutboxRelay relay =
          OutboxRelay.builder(service, dsl, nats)
              .config(OutboxRelayConfig.defaults().withInstanceId(service + "-" + i))
              .listenConnection(dbConfig)
              .build();
      relay.start();
      running.add(relay);
    }
    while (OutboxTestSupport.pending(dsl) > 0) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    running.forEach(OutboxRelay::close);
    long stored = OutboxTestSupport.streamCount(nats, EventSubjects.streamName(service));
    return String.format(
        "drain %,d rows (%,d aggregates x %d), %d relay(s), batch %d: %.2f s = %,.0f events/s"
            + " (stream holds %,d)",
        PREFILL,
        PREFILL_AGGREGATES,
        PREFILL_PER_AGGREGATE,
        relays,
        OutboxRelayConfig.DEFAULT_BATCH_SIZE,
        seconds,
        PREFILL / seconds,
        stored);
  }

  /**
   * Times one relay draining {@value #HOT_EVENTS} pending events of a single aggregate: the worst
   * case of the one-row-per-aggregate-per-round rule, where every round publishes one event and its
   * claim query walks past all the others.
   */
  private static String hotAggregate(Database db, DbConfig dbConfig, Connection nats)
      throws Exception {
    String service = "hot";
    EventStreams.ensureServiceStream(nats.jetStreamManagement(), service);
    DSLContext dsl = db.dsl();
    OutboxWriter writer = OutboxWriter.create(service, Telemetry.noop());
    List<OutboxEvent> events = new ArrayList<>(HOT_EVENTS);
    for (int v = 1; v <= HOT_EVENTS; v++) {
      events.add(OutboxTestSupport.event("hot-1", v));
    }
    dsl.transaction(c -> writer.appendAll(c.dsl(), events));
    dsl.execute("analyze outbox_events");
    long start = System.nanoTime();
    try (OutboxRelay relay =
        OutboxRelay.builder(service, dsl, nats)
            .config(OutboxRelayConfig.defaults().withInstanceId("hot"))
            .listenConnection(dbConfig)
            .build()) {
      relay.start();
      while (OutboxTestSupport.pending(dsl) > 0) {
        Thread.sleep(20);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return String.format(
        "drain %,d rows of ONE aggregate, 1 relay: %.2f s = %,.0f events/s",
        HOT_EVENTS, seconds, HOT_EVENTS / seconds);
  }

  /** Commits at a fixed rate and records commit-to-handler latency. */
  private static String latency(Database db, DbConfig dbConfig, Connection nats) throws Exception {
    String service = "latency";
    EventStreams.ensureServiceStream(nats.jetStreamManagement(), service);
    DSLContext dsl = db.dsl();
    OutboxWriter writer = OutboxWriter.create(service, Telemetry.noop());
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    Recorder recorder = new Recorder(3);
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicLong received = new AtomicLong();

    MessageConsumer consumer =
        nats.getStreamContext(EventSubjects.streamName(service))
            .createOrderedConsumer(
                new OrderedConsumerConfiguration().deliverPolicy(DeliverPolicy.New))
            .consume(
                message -> {
                  long now = System.nanoTime();
                  try {
                    UUID id = UUID.fromString(Envelope.parseFrom(message.getData()).getEventId());
                    Long committed = committedAt.remove(id);
                    received.incrementAndGet();
                    if (committed != null && measuring.get()) {
                      recorder.recordValue(Math.max(0, (now - committed) / 1_000));
                    }
                  } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                  }
                });

    OutboxRelay relay =
        OutboxRelay.builder(service, dsl, nats)
            .config(OutboxRelayConfig.defaults().withInstanceId("latency"))
            .listenConnection(dbConfig)
            .build();
    relay.start();

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong commits = new AtomicLong();
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) * WRITERS / RATE_PER_SECOND;
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int id = w;
      writers.add(
          Thread.ofPlatform()
              .name("bench-writer-" + w)
              .start(
                  () -> {
                    long next = System.nanoTime() + id * intervalNanos / WRITERS;
                    for (int n = 0; writing.get(); n++) {
                      long sleep = next - System.nanoTime();
                      if (sleep > 0) {
                        try {
                          Thread.sleep(Duration.ofNanos(sleep));
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                      OutboxEvent event =
                          OutboxTestSupport.event("w" + id + "-" + (n % 100), n / 100 + 1);
                      EventRecord record =
                          dsl.transactionResult(c -> writer.append(c.dsl(), event));
                      committedAt.put(record.eventId(), System.nanoTime());
                      commits.incrementAndGet();
                      next += intervalNanos;
                    }
                  }));
    }

    Thread.sleep(TimeUnit.SECONDS.toMillis(WARMUP_SECONDS));
    recorder.reset();
    measuring.set(true);
    long commitsBefore = commits.get();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(MEASURE_SECONDS));
    Histogram histogram = recorder.getIntervalHistogram();
    double seconds = (System.nanoTime() - start) / 1e9;
    long committed = commits.get() - commitsBefore;
    writing.set(false);
    for (Thread t : writers) {
      t.join();
    }
    relay.flush(Duration.ofSeconds(10));
    relay.close();
    consumer.stop();
    return String.format(
        "commit-to-handler at %,d/s target (%,.0f/s achieved, %d writer threads, 1 relay), %d s:"
            + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%,d samples)",
        RATE_PER_SECOND,
        committed / seconds,
        WRITERS,
        MEASURE_SECONDS,
        histogram.getValueAtPercentile(50) / 1e3,
        histogram.getValueAtPercentile(90) / 1e3,
        histogram.getValueAtPercentile(99) / 1e3,
        histogram.getValueAtPercentile(99.9) / 1e3,
        histogram.getMaxValue() / 1e3,
        histogram.getTotalCount());
  }
}
