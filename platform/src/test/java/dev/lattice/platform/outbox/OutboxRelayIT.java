package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.event;
import static dev.lattice.platform.outbox.OutboxTestSupport.pending;
import static dev.lattice.platform.outbox.OutboxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.local.NatsServer;
import dev.lattice.operations.v1.OutboxStatus;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.EventHeaders;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The relay's mechanics, one behaviour per test, each on a fresh database and stream. */
class OutboxRelayIT {

  @RegisterExtension final PostgresExtension pg = OutboxTestSupport.migratedPostgres();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private Database db;
  private DSLContext dsl;
  private Connection nats;
  private String service;
  private OutboxWriter writer;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    db = OutboxTestSupport.open(pg, "relay-it", 8);
    dsl = db.dsl();
    nats = OutboxTestSupport.connect(natsServer.url(), "relay-it");
    // One stream per test: the service name is derived from the test method.
    service = "relay_" + Integer.toHexString(test.getDisplayName().hashCode() & 0xfffffff);
    writer = OutboxWriter.create(service, Telemetry.noop());
  }

  @AfterEach
  void tearDown() throws Exception {
    nats.close();
    db.close();
  }

  private DbConfig dbConfig() {
    return OutboxTestSupport.dbConfig(pg, "relay-it", 8);
  }

  private OutboxRelay.Builder relay(String instance, Duration poll) {
    return OutboxRelay.builder(service, dsl, nats).config(config(instance, poll));
  }

  private static OutboxRelayConfig config(String instance, Duration poll) {
    return OutboxRelayConfig.defaults()
        .withInstanceId(instance)
        .withPollInterval(poll)
        .withRetryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  private String stream() {
    return EventSubjects.streamName(service);
  }

  @Test
  void notify_wakesAnIdleRelay_wellBeforeItsPollInterval() throws Exception {
    OutboxTestSupport.provision(nats, service);
    try (OutboxRelay relay =
        relay("a", Duration.ofSeconds(20)).listenConnection(dbConfig()).build()) {
      relay.start();
      awaitListening();
      Thread.sleep(300); // past the relay's first (empty) round: it now sleeps for up to 20 s

      long start = System.nanoTime();
      EventRecord written = write(dsl, writer, event("o-1", 1));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> OutboxTestSupport.streamCount(nats, stream()) == 1);
      Duration latency = Duration.ofNanos(System.nanoTime() - start);

      assertThat(latency).isLessThan(Duration.ofSeconds(1));
      var stored = OutboxTestSupport.readStream(nats, stream()).get(0);
      assertThat(stored.eventId()).isEqualTo(written.eventId());
      assertThat(stored.subject()).isEqualTo(written.subject());
      assertThat(stored.headers().getFirst(EventHeaders.MSG_ID))
          .isEqualTo(written.eventId().toString());
      assertThat(stored.headers().getFirst(EventHeaders.EVENT_TYPE))
          .isEqualTo("lattice.orders.v1.OrderPacked");
      assertThat(stored.headers().getFirst(EventHeaders.TENANT_ID))
          .isEqualTo(OutboxTestSupport.TENANT.toString());
      assertThat(pending(dsl)).isZero();
    }
  }

  @Test
  void missedNotifications_arePickedUpByPolling() throws Exception {
    OutboxTestSupport.provision(nats, service);
    try (OutboxRelay relay =
        relay("a", Duration.ofMillis(300)).listenConnection(dbConfig()).build()) {
      relay.start();
      awaitListening();
      Thread.sleep(300);

      // Triggers do not fire in replica mode, so this commit notifies nobody.
      dsl.transaction(
          c -> {
            c.dsl().execute("set local session_replication_role = replica");
            writer.append(c.dsl(), event("o-1", 1));
          });

      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> OutboxTestSupport.streamCount(nats, stream()) == 1);
      assertThat(pending(dsl)).isZero();
    }
  }

  @Test
  void brokenListenConnection_isReplaced_andNotificationsWorkAgain() throws Exception {
    OutboxTestSupport.provision(nats, service);
    try (OutboxRelay relay =
        relay("a", Duration.ofSeconds(20)).listenConnection(dbConfig()).build()) {
      relay.start();
      int oldPid = awaitListening();

      dsl.fetch("select pg_terminate_backend(?)", oldPid);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                Integer pid = listenerPid();
                return pid != null && pid != oldPid;
              });
      Thread.sleep(300);

      long start = System.nanoTime();
      write(dsl, writer, event("o-1", 1));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> OutboxTestSupport.streamCount(nats, stream()) == 1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void twoRelays_shareTheWork_andNeverPublishARowTwice() throws Exception {
    OutboxTestSupport.provision(nats, service);
    int aggregates = 200;
    int versions = 10;
    for (int v = 1; v <= versions; v++) {
      int version = v;
      dsl.transaction(
          c -> {
            for (int a = 0; a < aggregates; a++) {
              writer.append(c.dsl(), event("o-" + a, version));
            }
          });
    }
    Map<UUID, AtomicInteger> acks = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> perRelay = new ConcurrentHashMap<>();
    try (OutboxRelay a = counting(relay("a", Duration.ofMillis(100)), "a", acks, perRelay);
        OutboxRelay b = counting(relay("b", Duration.ofMillis(100)), "b", acks, perRelay)) {
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> pending(dsl) == 0);
    }

    assertThat(acks).hasSize(aggregates * versions);
    assertThat(acks.values().stream().filter(n -> n.get() != 1).count()).isZero();
    assertThat(perRelay.get("a").get()).isPositive();
    assertThat(perRelay.get("b").get()).isPositive();
    assertThat(OutboxTestSupport.streamCount(nats, stream())).isEqualTo(aggregates * versions);
  }

  private static OutboxRelay counting(
      OutboxRelay.Builder builder,
      String name,
      Map<UUID, AtomicInteger> acks,
      Map<String, AtomicInteger> perRelay) {
    return builder
        .config(config(name, Duration.ofMillis(100)).withBatchSize(32))
        .listener(
            new OutboxRelay.Listener() {
              @Override
              public void afterAckBeforeMark(List<PendingEvent> acked) {
                for (PendingEvent e : acked) {
                  acks.computeIfAbsent(e.eventId(), k -> new AtomicInteger()).incrementAndGet();
                }
                perRelay.computeIfAbsent(name, k -> new AtomicInteger()).addAndGet(acked.size());
              }
            })
        .build();
  }

  /**
   * Creates the service's stream on {@code nats} and writes {@code events} orders' first events.
   */
  private void provisionAndWrite(Connection nats, int events) throws Exception {
    OutboxTestSupport.provision(nats, service);
    for (int i = 0; i < events; i++) {
      write(dsl, writer, event("o-" + i, 1));
    }
  }

  /**
   * A relay with {@code config} on {@code nats} that freezes {@code server} (SIGSTOP: it takes the
   * bytes and never acks) before its first publish, and sets {@code stopped} when it has.
   */
  private OutboxRelay freezingRelay(
      Connection nats, OutboxRelayConfig config, NatsServer server, AtomicBoolean stopped) {
    return OutboxRelay.builder(service, dsl, nats)
        .config(config)
        .listener(
            new OutboxRelay.Listener() {
              @Override
              public void beforePublish(List<PendingEvent> batch) {
                if (stopped.compareAndSet(false, true)) {
                  signal(server.pid(), "STOP");
                }
              }
            })
        .build();
  }

  @Test
  void rowsStayPendingUntilAcked_whenTheServerStopsMidPublish() throws Exception {
    try (NatsServer own = NatsServer.start();
        Connection ownNats = OutboxTestSupport.connect(own.url(), "relay-it-stop")) {
      provisionAndWrite(ownNats, 20);
      AtomicBoolean stopped = new AtomicBoolean();
      OutboxRelay relay =
          freezingRelay(
              ownNats,
              OutboxRelayConfig.defaults()
                  .withInstanceId("stopper")
                  .withPollInterval(Duration.ofMillis(100))
                  .withAckTimeout(Duration.ofSeconds(1))
                  .withRetryBackoff(Duration.ofMillis(200), Duration.ofMillis(500)),
              own,
              stopped);
      try (relay) {
        relay.start();
        try {
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> dsl.fetchCount(OutboxTable.EVENTS, OutboxTable.ATTEMPTS.gt(0)) == 20);
          assertThat(pending(dsl)).isEqualTo(20);
          assertThat(
                  dsl.select(DSL.min(OutboxTable.LAST_ERROR))
                      .from(OutboxTable.EVENTS)
                      .fetchOne()
                      .value1())
              .startsWith("no ack within 1000 ms");
        } finally {
          if (stopped.get()) {
            signal(own.pid(), "CONT");
          }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> pending(dsl) == 0);
      }
      List<OutboxTestSupport.Stored> stored = OutboxTestSupport.readStream(ownNats, stream());
      assertThat(stored).hasSize(20);
      assertThat(stored.stream().map(OutboxTestSupport.Stored::eventId).collect(Collectors.toSet()))
          .hasSize(20);
    }
  }

  @Test
  void aSilentBroker_doesNotPushRowsBack_theBacklogLeavesAsSoonAsItAnswers() throws Exception {
    try (NatsServer own = NatsServer.start();
        Connection ownNats = OutboxTestSupport.connect(own.url(), "relay-it-silent")) {
      provisionAndWrite(ownNats, 20);
      AtomicBoolean stopped = new AtomicBoolean();
      OutboxRelay relay =
          freezingRelay(
              ownNats,
              OutboxRelayConfig.defaults() // per-row backoff 1 s doubling to 60 s
                  .withInstanceId("silent")
                  .withPollInterval(Duration.ofMillis(100))
                  .withAckTimeout(Duration.ofMillis(500)),
              own,
              stopped);
      try (relay) {
        relay.start();
        // Frozen for 8 s, shorter than the client's ping timeout: the connection stays CONNECTED.
        // Backing off per row, a row tried at 0, 2.5 and 7 s would next be tried at ~15 s.
        Thread.sleep(8_000);
        assertThat(ownNats.getStatus()).isEqualTo(Connection.Status.CONNECTED);
        // The rounds wait for acks (500 ms each here) with no transaction open: no session sits
        // in a transaction holding locks and a snapshot meanwhile.
        for (int probe = 0; probe < 20; probe++) {
          assertThat(
                  dsl.fetchOne(
                          "select count(*) from pg_stat_activity where datname ="
                              + " current_database() and state like 'idle in transaction%' and"
                              + " clock_timestamp() - state_change > interval '100 milliseconds'")
                      .get(0, Long.class))
              .isZero();
          Thread.sleep(50);
        }
        assertThat(dsl.fetchCount(OutboxTable.EVENTS, OutboxTable.ATTEMPTS.ge(4))).isEqualTo(20);
        signal(own.pid(), "CONT");
        Instant answered = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> pending(dsl) == 0);
        assertThat(Duration.between(answered, Instant.now())).isLessThan(Duration.ofSeconds(3));
      } finally {
        if (stopped.get()) {
          signal(own.pid(), "CONT");
        }
      }
      List<OutboxTestSupport.Stored> stored = OutboxTestSupport.readStream(ownNats, stream());
      assertThat(stored.stream().map(OutboxTestSupport.Stored::eventId).collect(Collectors.toSet()))
          .hasSize(20);
    }
  }

  @Test
  void rejectedPublishes_backOffPerRow_andStatusShowsTheBacklogUntilTheStreamExists()
      throws Exception {
    // No stream yet: JetStream answers "no responders", a rejection while connected.
    for (int i = 0; i < 3; i++) {
      write(dsl, writer, event("o-" + i, 1));
    }
    try (OutboxRelay relay = relay("status-relay", Duration.ofMillis(100)).build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> dsl.fetchCount(OutboxTable.EVENTS, OutboxTable.ATTEMPTS.ge(2)) == 3);
      // The heartbeat (every 2 s) carries the relay's last error into the status.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> relay.status().getRelays(0).getLastError().startsWith("publish failed"));

      OutboxStatus failing = relay.status();
      assertThat(failing.getService()).isEqualTo(service);
      assertThat(failing.getPendingCount()).isEqualTo(3);
      assertThat(failing.hasOldestPendingCreateTime()).isTrue();
      assertThat(
              failing.getOldestPendingAge().getSeconds() * 1000
                  + failing.getOldestPendingAge().getNanos() / 1_000_000)
          .isPositive();
      assertThat(failing.getRelaysCount()).isEqualTo(1);
      assertThat(failing.getRelays(0).getInstanceId()).isEqualTo("status-relay");
      assertThat(failing.hasLastPublishTime()).isFalse();

      OutboxTestSupport.provision(nats, service);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending(dsl) == 0);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> relay.status().getPublishedLastMinute() == 3);
      OutboxStatus healthy = relay.status();
      assertThat(healthy.getPendingCount()).isZero();
      assertThat(healthy.hasOldestPendingCreateTime()).isFalse();
      assertThat(healthy.hasLastPublishTime()).isTrue();
      assertThat(healthy.getRelays(0).getPublishedCount()).isEqualTo(3);
      assertThat(healthy.getRelays(0).getLastError()).isEmpty();
    }
  }

  /**
   * A round takes several consecutive rows of an aggregate, each published only after the previous
   * one's ack. One row JetStream refuses (here: its headers demand another stream) holds back the
   * rest of its own aggregate, untouched, and nothing of the others.
   */
  @Test
  void aRound_publishesSeveralRowsOfAnAggregateInOrder_aRefusedRowHoldsBackOnlyTheRestOfIt()
      throws Exception {
    OutboxTestSupport.provision(nats, service);
    dsl.transaction(
        c -> {
          for (int v = 1; v <= 5; v++) {
            writer.append(c.dsl(), event("a", v));
            writer.append(c.dsl(), event("b", v));
          }
        });
    setHeader("a", 3, "Nats-Expected-Stream", "ANOTHER_STREAM");
    List<List<Long>> claimedRounds = new CopyOnWriteArrayList<>();
    List<List<Long>> ackedRounds = new CopyOnWriteArrayList<>();
    OutboxRelay.Listener listener =
        new OutboxRelay.Listener() {
          @Override
          public void beforePublish(List<PendingEvent> batch) {
            claimedRounds.add(batch.stream().map(PendingEvent::outboxId).toList());
          }

          @Override
          public void afterAckBeforeMark(List<PendingEvent> acked) {
            ackedRounds.add(acked.stream().map(PendingEvent::outboxId).toList());
          }
        };
    List<Long> ids =
        dsl.select(OutboxTable.ID)
            .from(OutboxTable.EVENTS)
            .orderBy(OutboxTable.ID)
            .fetch(OutboxTable.ID);
    try (OutboxRelay relay =
        relay("waves", Duration.ofMinutes(1))
            .config(
                config("waves", Duration.ofMinutes(1))
                    .withRetryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1)))
            .listener(listener)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> attempts("a", 3) == 1);
      // The first round claimed all ten rows and got seven out: a1, a2 and all of b.
      assertThat(claimedRounds.getFirst()).isEqualTo(ids);
      assertThat(ackedRounds.getFirst())
          .containsExactlyInAnyOrderElementsOf(
              List.of(
                  ids.get(0),
                  ids.get(2),
                  ids.get(1),
                  ids.get(3),
                  ids.get(5),
                  ids.get(7),
                  ids.get(9)));
      assertThat(versionsInStream("a")).containsExactly(1L, 2L);
      assertThat(versionsInStream("b")).containsExactly(1L, 2L, 3L, 4L, 5L);
      // a3 backs off; a4 and a5 were never tried.
      assertThat(attempts("a", 4)).isZero();
      assertThat(attempts("a", 5)).isZero();
      assertThat(pending(dsl)).isEqualTo(3);
    }

    setHeader("a", 3, "Nats-Expected-Stream", stream());
    dsl.update(OutboxTable.EVENTS)
        .set(OutboxTable.NEXT_ATTEMPT_TIME, DSL.currentOffsetDateTime())
        .execute();
    try (OutboxRelay relay = relay("waves-2", Duration.ofMinutes(1)).build()) {
      assertThat(relay.flush(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(versionsInStream("a")).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  private void setHeader(String aggregateId, long version, String name, String value) {
    int updated =
        dsl.update(OutboxTable.EVENTS)
            .set(
                OutboxTable.HEADERS,
                DSL.field(
                    "coalesce({0}, '{}'::jsonb) || jsonb_build_object({1}::text, {2}::text)",
                    OutboxTable.HEADERS.getDataType(),
                    OutboxTable.HEADERS,
                    DSL.val(name),
                    DSL.val(value)))
            .where(OutboxTable.AGGREGATE_ID.eq(aggregateId))
            .and(OutboxTable.AGGREGATE_VERSION.eq(version))
            .execute();
    assertThat(updated).isEqualTo(1);
  }

  private int attempts(String aggregateId, long version) {
    return dsl.select(OutboxTable.ATTEMPTS)
        .from(OutboxTable.EVENTS)
        .where(OutboxTable.AGGREGATE_ID.eq(aggregateId))
        .and(OutboxTable.AGGREGATE_VERSION.eq(version))
        .fetchOne(OutboxTable.ATTEMPTS);
  }

  private List<Long> versionsInStream(String aggregateId) throws Exception {
    return OutboxTestSupport.readStream(nats, stream()).stream()
        .map(OutboxTestSupport.Stored::envelope)
        .filter(e -> e.getAggregateId().equals(aggregateId))
        .map(e -> e.getAggregateVersion())
        .toList();
  }

  @Test
  void flush_publishesEverythingPending_beforeReturning() throws Exception {
    OutboxTestSupport.provision(nats, service);
    dsl.transaction(
        c -> {
          for (int i = 0; i < 500; i++) {
            writer.append(c.dsl(), event("o-" + (i % 50), i / 50 + 1));
          }
        });
    try (OutboxRelay relay = relay("flusher", Duration.ofSeconds(20)).build()) {
      // Not started: flush alone must do all the work.
      assertThat(relay.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(pending(dsl)).isZero();
      assertThat(OutboxTestSupport.streamCount(nats, stream())).isEqualTo(500);
    }
  }

  @Test
  void flush_withoutAStream_givesUpAtItsTimeout() {
    write(dsl, writer, event("o-1", 1));
    try (OutboxRelay relay = relay("flusher", Duration.ofSeconds(20)).build()) {
      long start = System.nanoTime();
      assertThat(relay.flush(Duration.ofMillis(1500))).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(1400), Duration.ofSeconds(5));
      assertThat(pending(dsl)).isEqualTo(1);
    }
  }

  @Test
  void publish_isAProducerSpan_childOfTheWriter_whoseContextTheMessageCarries() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (Telemetry telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("relay-it"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build()) {
      OutboxWriter tracedWriter = OutboxWriter.create(service, telemetry);
      OutboxTestSupport.provision(nats, service);
      Span request = telemetry.tracer("test").spanBuilder("request").startSpan();
      EventRecord written;
      try (Scope ignored = request.makeCurrent()) {
        written = write(dsl, tracedWriter, event("o-1", 1));
      } finally {
        request.end();
      }

      try (OutboxRelay relay =
          relay("traced", Duration.ofSeconds(20)).telemetry(telemetry).build()) {
        assertThat(relay.flush(Duration.ofSeconds(10))).isTrue();
      }

      List<SpanData> publishes =
          spans.getFinishedSpanItems().stream()
              .filter(span -> span.getKind() == SpanKind.PRODUCER)
              .toList();
      assertThat(publishes).hasSize(1);
      SpanData publish = publishes.get(0);
      assertThat(publish.getName()).isEqualTo("publish " + written.subject());
      assertThat(publish.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
      assertThat(publish.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
      assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.system")))
          .isEqualTo("nats");
      assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))
          .isEqualTo(written.eventId().toString());
      assertThat(publish.getAttributes().get(AttributeKey.longKey("lattice.stream_sequence")))
          .isEqualTo(1L);
      assertThat(publish.getEndEpochNanos()).isGreaterThan(publish.getStartEpochNanos());
      var stored = OutboxTestSupport.readStream(nats, stream()).get(0);
      assertThat(stored.headers().getFirst("traceparent"))
          .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-");
    }
  }

  @Test
  void metrics_countPublishesAndFailures_timeThem_andReportTheBacklog() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (Telemetry telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("relay-it"))
            .addMetricReader(reader)
            .build()) {
      for (int i = 0; i < 5; i++) {
        write(dsl, writer, event("o-" + i, 1));
      }
      try (OutboxRelay relay =
          relay("metered", Duration.ofMillis(100)).telemetry(telemetry).build()) {
        relay.start(); // no stream yet: every publish is rejected
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> longGauge(reader, "lattice.outbox.backlog") == 5);
        assertThat(doubleGauge(reader, "lattice.outbox.oldest_pending_age")).isPositive();

        OutboxTestSupport.provision(nats, service);
        await().atMost(Duration.ofSeconds(10)).until(() -> pending(dsl) == 0);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> longGauge(reader, "lattice.outbox.backlog") == 0);

        var metrics = reader.collectAllMetrics();
        assertThat(sum(metrics, "lattice.outbox.published", null)).isEqualTo(5);
        assertThat(sum(metrics, "lattice.outbox.publish.failures", "rejected"))
            .isGreaterThanOrEqualTo(5);
        assertThat(histogramCount(metrics, "lattice.outbox.publish.duration")).isEqualTo(5);
        assertThat(histogramCount(metrics, "lattice.outbox.lag")).isEqualTo(5);
      }
    }
  }

  private static MetricData metric(Collection<MetricData> metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name + " in " + metrics));
  }

  private static long longGauge(InMemoryMetricReader reader, String name) {
    return metric(reader.collectAllMetrics(), name)
        .getLongGaugeData()
        .getPoints()
        .iterator()
        .next()
        .getValue();
  }

  private static double doubleGauge(InMemoryMetricReader reader, String name) {
    return metric(reader.collectAllMetrics(), name)
        .getDoubleGaugeData()
        .getPoints()
        .iterator()
        .next()
        .getValue();
  }

  private static long sum(Collection<MetricData> metrics, String name, String reason) {
    return metric(metrics, name).getLongSumData().getPoints().stream()
        .filter(
            p ->
                reason == null
                    || reason.equals(p.getAttributes().get(AttributeKey.stringKey("reason"))))
        .mapToLong(LongPointData::getValue)
        .sum();
  }

  private static long histogramCount(Collection<MetricData> metrics, String name) {
    return metric(metrics, name).getHistogramData().getPoints().stream()
        .mapToLong(HistogramPointData::getCount)
        .sum();
  }

  private int awaitListening() {
    await().atMost(Duration.ofSeconds(10)).until(() -> listenerPid() != null);
    return listenerPid();
  }

  private Integer listenerPid() {
    return dsl.fetchOptional(
            "select pid from pg_stat_activity where datname = current_database()"
                + " and application_name = 'relay-it-outbox-listen'")
        .map(r -> r.get(0, Integer.class))
        .orElse(null);
  }

  private static void signal(long pid, String signal) {
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
