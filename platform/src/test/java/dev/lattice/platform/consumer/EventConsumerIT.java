package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.applyEffect;
import static dev.lattice.platform.consumer.EventsFixture.effects;
import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static dev.lattice.platform.consumer.EventsFixture.publishRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The consumer's per-message contract against a real nats-server and PostgreSQL. */
class EventConsumerIT {

  private static final String SERVICE = "consumerit";
  private static final String STREAM = "CONSUMERIT";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private static Telemetry telemetry;
  private static Connection nats;
  private static Database database;
  private static DSLContext dsl;
  private static DeadLetters deadLetters;

  private final List<EventConsumer> consumers = new ArrayList<>();
  private String durable;
  private String subject;

  @BeforeAll
  static void setUp() throws Exception {
    telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("consumer-it"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .addMetricReader(metrics)
            .build();
    nats = EventsFixture.connect(natsServer.url());
    EventsFixture.createStream(nats, STREAM, "lattice.consumerit.>");
    DeadLetters.ensureStream(nats.jetStreamManagement());
    database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "consumer-it");
    dsl = database.dsl();
    deadLetters = new DeadLetters(nats);
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    database.close();
    nats.close();
    telemetry.close();
  }

  @BeforeEach
  void names(TestInfo test) {
    String method = test.getTestMethod().orElseThrow().getName();
    String token =
        method
                .substring(0, method.indexOf('_') > 0 ? method.indexOf('_') : method.length())
                .toLowerCase()
            + "-"
            + Integer.toHexString(method.hashCode() & 0xffff);
    durable = "it-" + token;
    subject = "lattice.consumerit." + token;
  }

  @AfterEach
  void closeConsumers() {
    consumers.forEach(EventConsumer::close);
  }

  @Test
  void sameEnvelopeRepublishedUnderAnotherMsgId_isAcknowledgedWithoutSecondEffect()
      throws Exception {
    AtomicInteger duplicates = new AtomicInteger();
    start(
        spec -> spec,
        builder ->
            builder
                .handle(StringValue.class, (context, payload) -> applyEffect(context))
                .listener(
                    new ConsumerListener() {
                      @Override
                      public void afterDuplicateBeforeAck(Envelope envelope) {
                        duplicates.incrementAndGet();
                      }
                    }));
    Envelope event = envelope(subject, StringValue.of("hello"));

    publish(nats, subject, event, null);
    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 1);
    publishRaw(nats, subject, event.toByteArray(), "another-msg-id", null);

    await().atMost(Duration.ofSeconds(10)).until(() -> duplicates.get() == 1);
    awaitAllAcknowledged(2);
    assertThat(effects(dsl, durable)).isEqualTo(1);
    assertThat(
            dsl.resultQuery(
                    "select count(*) from processed_events where consumer = ? and event_id ="
                        + " ?::uuid and subject = ?",
                    durable,
                    event.getEventId(),
                    subject)
                .fetchOne(0, Long.class))
        .isEqualTo(1);
    assertThat(sum("lattice.consumer.processed", "duplicate")).isEqualTo(1);
    assertThat(sum("lattice.consumer.processed", "handled")).isEqualTo(1);
  }

  @Test
  void permanentFailure_isDeadLetteredOnFirstDelivery_andNotRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(
        spec -> spec.withBackoff(List.of(Duration.ofMillis(100))),
        builder ->
            builder.handle(
                StringValue.class,
                (context, payload) -> {
                  calls.incrementAndGet();
                  applyEffect(context);
                  throw new PermanentEventException("order " + payload.getValue() + " is bogus");
                }));
    Envelope event = envelope(subject, StringValue.of("o-1"));

    publish(nats, subject, event, null);

    StoredDeadLetter deadLetter = awaitOneDeadLetter();
    assertThat(deadLetter.cause()).isEqualTo(DeadLetterCause.PERMANENT_FAILURE);
    assertThat(deadLetter.deliveryCount()).isEqualTo(1);
    assertThat(deadLetter.errorMessage()).isEqualTo("PermanentEventException: order o-1 is bogus");
    assertThat(deadLetter.eventId()).isEqualTo(event.getEventId());
    assertThat(deadLetter.eventType()).isEqualTo(subject);
    assertThat(deadLetter.subject()).isEqualTo(subject);
    assertThat(deadLetter.stream()).isEqualTo(STREAM);
    assertThat(deadLetter.consumer()).isEqualTo(durable);
    assertThat(deadLetter.service()).isEqualTo(SERVICE);
    assertThat(deadLetter.data()).isEqualTo(event.toByteArray());
    awaitAllAcknowledged(1);
    Thread.sleep(400); // several backoffs: a nak instead of a term would redeliver meanwhile
    assertThat(calls).hasValue(1);
    assertThat(effects(dsl, durable)).as("the failed transaction rolled back").isZero();
    assertThat(inboxRows()).isZero();
  }

  @Test
  void unparseableData_isDeadLetteredWithParseError_dataAndMsgIdKept() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(
        spec -> spec,
        builder ->
            builder.handle(StringValue.class, (context, payload) -> calls.incrementAndGet()));
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00};

    publishRaw(nats, subject, garbage, "garbage-1", null);

    StoredDeadLetter deadLetter = awaitOneDeadLetter();
    assertThat(deadLetter.cause()).isEqualTo(DeadLetterCause.PARSE_ERROR);
    assertThat(deadLetter.data()).isEqualTo(garbage);
    assertThat(deadLetter.originalHeaders()).containsEntry("Nats-Msg-Id", List.of("garbage-1"));
    assertThat(deadLetter.eventId()).isEmpty();
    assertThat(deadLetter.errorMessage()).containsIgnoringCase("protocol message");
    assertThat(calls).hasValue(0);
    awaitAllAcknowledged(1);
  }

  @Test
  void unknownPayloadType_isDeadLettered() throws Exception {
    start(spec -> spec, builder -> builder.handle(StringValue.class, (context, payload) -> {}));
    Envelope event = envelope(subject, Int64Value.of(7));

    publish(nats, subject, event, null);

    StoredDeadLetter deadLetter = awaitOneDeadLetter();
    assertThat(deadLetter.cause()).isEqualTo(DeadLetterCause.UNKNOWN_EVENT_TYPE);
    assertThat(deadLetter.eventId()).isEqualTo(event.getEventId());
    assertThat(deadLetter.errorMessage()).contains("google.protobuf.Int64Value");
  }

  @Test
  void handleAll_getsEveryPayloadTypeWithoutTypedHandler_once_evenWhenRepublished()
      throws Exception {
    List<String> generic = new CopyOnWriteArrayList<>();
    List<String> typed = new CopyOnWriteArrayList<>();
    start(
        spec -> spec,
        builder ->
            builder
                .handle(StringValue.class, (context, payload) -> typed.add(payload.getValue()))
                .handleAll(
                    (context, payload) -> {
                      assertThat(payload).isEqualTo(context.envelope().getPayload());
                      generic.add(payload.getTypeUrl());
                      applyEffect(context);
                    }));
    Envelope number = envelope(subject, Int64Value.of(7));
    Envelope unknown =
        envelope(subject, StringValue.of("x")).toBuilder()
            .setPayload(
                com.google.protobuf.Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/not.a.Known")
                    .setValue(com.google.protobuf.ByteString.copyFromUtf8("opaque")))
            .build();

    publish(nats, subject, envelope(subject, StringValue.of("typed")), null);
    publish(nats, subject, number, null);
    publish(nats, subject, unknown, null);
    publishRaw(nats, subject, number.toByteArray(), "again-" + number.getEventId(), null);

    awaitAllAcknowledged(4);
    assertThat(typed).containsExactly("typed");
    assertThat(generic)
        .containsExactly(
            "type.googleapis.com/google.protobuf.Int64Value", "type.googleapis.com/not.a.Known");
    assertThat(effects(dsl, durable)).isEqualTo(2);
    assertThat(deadLetters.list(new DeadLetterQuery(SERVICE, durable, "", 10, 0)).deadLetters())
        .isEmpty();
  }

  @Test
  void unhandledPayloadType_whenIgnoring_isAcknowledgedWithoutEffect_andOrderKept()
      throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    start(
        spec -> spec,
        builder ->
            builder
                .ignoreUnhandledTypes()
                .handle(
                    StringValue.class,
                    (context, payload) -> {
                      handled.add(payload.getValue());
                      applyEffect(context);
                    }));

    publish(nats, subject, envelope(subject, StringValue.of("first")), null);
    publish(nats, subject, envelope(subject, Int64Value.of(7)), null);
    publish(nats, subject, envelope(subject, StringValue.of("second")), null);

    awaitAllAcknowledged(3);
    assertThat(handled).containsExactly("first", "second");
    assertThat(effects(dsl, durable)).isEqualTo(2);
    assertThat(deadLetters.list(new DeadLetterQuery(SERVICE, durable, "", 10, 0)).deadLetters())
        .isEmpty();
  }

  @Test
  void transientFailure_isRedeliveredAfterBackoff_thenHandledOnce() throws Exception {
    List<Long> deliveryTimes = new CopyOnWriteArrayList<>();
    start(
        spec -> spec.withBackoff(List.of(Duration.ofMillis(400))),
        builder ->
            builder.handle(
                StringValue.class,
                (context, payload) -> {
                  deliveryTimes.add(System.nanoTime());
                  applyEffect(context);
                  if (context.deliveryCount() == 1) {
                    throw new TransientEventException("provider timed out");
                  }
                }));
    Envelope event = envelope(subject, StringValue.of("x"));

    publish(nats, subject, event, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 1);
    awaitAllAcknowledged(1);
    assertThat(deliveryTimes).hasSize(2);
    assertThat(Duration.ofNanos(deliveryTimes.get(1) - deliveryTimes.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(380));
    assertThat(
            dsl.resultQuery("select delivery from effect_log where consumer = ?", durable)
                .fetchOne(0, Long.class))
        .as("only the second delivery's effect committed")
        .isEqualTo(2);
    assertThat(sum("lattice.consumer.redeliveries", null)).isEqualTo(1);
    assertThat(deadLetters.list(new DeadLetterQuery(SERVICE, durable, "", 10, 0)).deadLetters())
        .isEmpty();
  }

  @Test
  void batchTransactions_handleWhatOnePullBrings_inOneTransaction_inDeliveryOrder()
      throws Exception {
    // Published before the consumers start: the first pull of each brings them all.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Envelope batched = envelope(subject, StringValue.of("e" + i));
      ids.add(batched.getEventId());
      publish(nats, subject, batched, null);
      publish(
          nats, subject + "_single", envelope(subject + "_single", StringValue.of("e" + i)), null);
    }
    List<Long> batchedTx = new CopyOnWriteArrayList<>();
    List<String> order = new CopyOnWriteArrayList<>();
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    List<Long> singleTx = new CopyOnWriteArrayList<>();
    startBatched(
        (context, payload) -> {
          applyEffect(context);
          batchedTx.add(txid(context));
          order.add(context.envelope().getEventId());
          batchSizes.add(context.batch().envelopes().size());
        });
    start(
        spec -> spec,
        builder ->
            builder.handle(
                StringValue.class,
                (context, payload) -> {
                  applyEffect(context);
                  singleTx.add(txid(context));
                }),
        "-single");

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable + "-single") == 10);
    awaitAllAcknowledged(10);
    assertThat(order).as("delivery order").containsExactlyElementsOf(ids);
    assertThat(batchedTx).as("one transaction for the pull").containsOnly(batchedTx.get(0));
    assertThat(batchSizes).containsOnly(10);
    assertThat(singleTx).as("without batch transactions, one each").doesNotHaveDuplicates();
  }

  @Test
  void batchTransactions_aFailingEvent_rollsBackTheBatch_thenOnlyItFails() throws Exception {
    List<String> good = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Envelope event = envelope(subject, StringValue.of(i == 3 ? "bogus" : "e" + i));
      if (i != 3) {
        good.add(event.getEventId());
      }
      publish(nats, subject, event, null);
    }
    AtomicInteger calls = new AtomicInteger();
    startBatched(
        (context, payload) -> {
          calls.incrementAndGet();
          applyEffect(context);
          if (payload.getValue().equals("bogus")) {
            throw new PermanentEventException("event " + payload.getValue());
          }
        });

    StoredDeadLetter dead = awaitOneDeadLetter();
    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 5);
    awaitAllAcknowledged(6);
    for (String id : good) {
      assertThat(effects(dsl, durable, id)).as("event %s, once", id).isEqualTo(1);
    }
    assertThat(dead.cause()).isEqualTo(DeadLetterCause.PERMANENT_FAILURE);
    assertThat(calls.get())
        .as("the batch up to the failure (4 calls), then each event on its own (6)")
        .isEqualTo(10);
    assertThat(inboxRows()).isEqualTo(5);
  }

  @Test
  void batchTransactions_skipWhatTheInboxHolds_andRunBeforeCommitOnceAfterTheHandlers()
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Envelope event = envelope(subject, StringValue.of("e" + i));
      ids.add(event.getEventId());
      publish(nats, subject, event, null);
    }
    // The third event was processed before (a redelivery after a commit whose ack was lost).
    dsl.execute(
        "insert into processed_events (consumer, event_id, subject) values (?, ?::uuid, ?)",
        durable,
        ids.get(2),
        subject);
    List<String> handled = new CopyOnWriteArrayList<>();
    List<List<String>> atCommit = new CopyOnWriteArrayList<>();
    startBatched(
        (context, payload) -> {
          applyEffect(context);
          handled.add(context.envelope().getEventId());
          context
              .batch()
              .shared(
                  "before-commit",
                  () -> {
                    context.batch().beforeCommit(() -> atCommit.add(List.copyOf(handled)));
                    return Boolean.TRUE;
                  });
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 4);
    awaitAllAcknowledged(5);
    List<String> expected = List.of(ids.get(0), ids.get(1), ids.get(3), ids.get(4));
    assertThat(handled).as("the inbox's event skipped").containsExactlyElementsOf(expected);
    assertThat(atCommit).as("once, after every handler of the batch").containsExactly(expected);
    assertThat(inboxRows()).isEqualTo(5);
  }

  @Test
  void batchTransactions_aFailingBeforeCommitAction_rollsBackTheBatch() throws Exception {
    for (int i = 0; i < 3; i++) {
      publish(nats, subject, envelope(subject, StringValue.of("e" + i)), null);
    }
    AtomicInteger actions = new AtomicInteger();
    startBatched(
        (context, payload) -> {
          applyEffect(context);
          context
              .batch()
              .shared(
                  "before-commit",
                  () -> {
                    context
                        .batch()
                        .beforeCommit(
                            () -> {
                              // The batch's own action fails; each event on its own succeeds.
                              if (actions.incrementAndGet() == 1) {
                                throw new IllegalStateException("flush failed");
                              }
                            });
                    return Boolean.TRUE;
                  });
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 3);
    awaitAllAcknowledged(3);
    assertThat(actions.get()).as("the batch's, then one per event").isEqualTo(4);
    assertThat(inboxRows()).isEqualTo(3);
    assertThat(deadLetters.list(new DeadLetterQuery(SERVICE, durable, "", 10, 0)).deadLetters())
        .isEmpty();
  }

  @Test
  void consumerSpan_continuesTheProducersTrace() throws Exception {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String producerSpanId = "b7ad6b7169203331";
    List<String> traceIdsInHandler = new CopyOnWriteArrayList<>();
    start(
        spec -> spec,
        builder ->
            builder.handle(
                StringValue.class,
                (context, payload) ->
                    traceIdsInHandler.add(Span.current().getSpanContext().getTraceId())));
    Envelope event = envelope(subject, StringValue.of("x"));

    publish(nats, subject, event, "00-" + traceId + "-" + producerSpanId + "-01");

    await().atMost(Duration.ofSeconds(10)).until(() -> processSpan() != null);
    SpanData span = processSpan();
    assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(span.getTraceId()).isEqualTo(traceId);
    assertThat(span.getParentSpanId()).isEqualTo(producerSpanId);
    assertThat(span.getAttributes().asMap().toString()).contains(event.getEventId());
    assertThat(traceIdsInHandler).containsExactly(traceId);
  }

  @Test
  void slowHandler_sendsInProgressAcks_andIsNotRedelivered() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(
        spec -> spec.withAckWait(Duration.ofSeconds(1)),
        builder ->
            builder.handle(
                StringValue.class,
                (context, payload) -> {
                  calls.incrementAndGet();
                  Thread.sleep(2_500);
                  applyEffect(context);
                }));

    publish(nats, subject, envelope(subject, StringValue.of("slow")), null);

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 1);
    awaitAllAcknowledged(1);
    Thread.sleep(1_200); // past another ack wait: a redelivery would have arrived
    assertThat(calls).hasValue(1);
    assertThat(consumerInfo().getDelivered().getConsumerSequence())
        .as("deliveries, redeliveries included")
        .isEqualTo(1);
  }

  @Test
  void close_letsTheMessageInHandFinish_andReturnsPromptlyWhenIdle() throws Exception {
    CountDownLatch handling = new CountDownLatch(1);
    EventConsumer consumer =
        start(
            spec -> spec,
            builder ->
                builder.handle(
                    StringValue.class,
                    (context, payload) -> {
                      handling.countDown();
                      Thread.sleep(1_000);
                      applyEffect(context);
                    }));
    publish(nats, subject, envelope(subject, StringValue.of("x")), null);
    assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();

    consumer.close();

    assertThat(effects(dsl, durable)).as("committed before close returned").isEqualTo(1);
    awaitAllAcknowledged(1);

    EventConsumer idle =
        start(
            spec -> spec.withFetchExpires(Duration.ofSeconds(20)),
            builder -> builder.handle(Int64Value.class, (context, payload) -> {}),
            "-idle");
    assertThat(idle.awaitReady(Duration.ofSeconds(10))).isTrue();
    Thread.sleep(200); // inside a pull
    long start = System.nanoTime();
    idle.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void metrics_countEventsAndDeadLetters_perConsumer() throws Exception {
    start(spec -> spec, builder -> builder.handle(StringValue.class, (c, p) -> applyEffect(c)));

    for (int i = 0; i < 3; i++) {
      publish(nats, subject, envelope(subject, StringValue.of("m" + i)), null);
    }
    publishRaw(nats, subject, new byte[] {(byte) 0xff}, "bad-" + durable, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, durable) == 3);
    awaitOneDeadLetter();
    assertThat(sum("lattice.consumer.processed", "handled")).isEqualTo(3);
    assertThat(sum("lattice.consumer.dead_letters", null)).isEqualTo(1);
    assertThat(histogramCount("lattice.consumer.handler.duration")).isEqualTo(3);
  }

  /** A consumer with batch transactions of up to 10 messages and {@code handler} for strings. */
  private EventConsumer startBatched(EventHandler<StringValue> handler)
      throws InterruptedException {
    return start(
        spec -> spec, builder -> builder.batchTransactions(10).handle(StringValue.class, handler));
  }

  /** The id of the handler's transaction. */
  private static long txid(EventContext context) {
    return context.tx().resultQuery("select txid_current()").fetchOne(0, Long.class);
  }

  private EventConsumer start(
      UnaryOperator<ConsumerSpec> tweak, java.util.function.Consumer<EventConsumer.Builder> setup)
      throws InterruptedException {
    return start(tweak, setup, "");
  }

  private EventConsumer start(
      UnaryOperator<ConsumerSpec> tweak,
      java.util.function.Consumer<EventConsumer.Builder> setup,
      String suffix)
      throws InterruptedException {
    ConsumerSpec spec =
        tweak.apply(
            ConsumerSpec.of(SERVICE, durable + suffix, STREAM, subject + suffix.replace('-', '_'))
                .withBackoff(List.of(Duration.ofMillis(200))));
    EventConsumer.Builder builder =
        EventConsumer.builder(spec, nats, dsl, deadLetters, telemetry)
            .closeTimeout(Duration.ofSeconds(10));
    setup.accept(builder);
    EventConsumer consumer = builder.build().start();
    consumers.add(consumer);
    assertThat(consumer.awaitReady(Duration.ofSeconds(10))).isTrue();
    return consumer;
  }

  private StoredDeadLetter awaitOneDeadLetter() {
    DeadLetterQuery query = new DeadLetterQuery(SERVICE, durable, "", 10, 0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !deadLetters.list(query).deadLetters().isEmpty());
    List<StoredDeadLetter> found = deadLetters.list(query).deadLetters();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private void awaitAllAcknowledged(long streamMessages) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              ConsumerInfo info = consumerInfo();
              return info.getNumAckPending() == 0
                  && info.getNumPending() == 0
                  && info.getDelivered().getConsumerSequence() >= streamMessages;
            });
  }

  private ConsumerInfo consumerInfo() throws Exception {
    return nats.jetStreamManagement().getConsumerInfo(STREAM, durable);
  }

  private long inboxRows() {
    return dsl.resultQuery("select count(*) from processed_events where consumer = ?", durable)
        .fetchOne(0, Long.class);
  }

  private SpanData processSpan() {
    return spans.getFinishedSpanItems().stream()
        .filter(span -> span.getName().equals("process " + subject))
        .findFirst()
        .orElse(null);
  }

  /** Sum of a counter's points of this test's consumer (and outcome, unless null). */
  private long sum(String name, String outcome) {
    long total = 0;
    for (MetricData metric : metrics.collectAllMetrics()) {
      if (!metric.getName().equals(name)) {
        continue;
      }
      for (LongPointData point : metric.getLongSumData().getPoints()) {
        if (durable.equals(point.getAttributes().get(ConsumerMetrics.CONSUMER))
            && (outcome == null
                || outcome.equals(point.getAttributes().get(ConsumerMetrics.OUTCOME)))) {
          total += point.getValue();
        }
      }
    }
    return total;
  }

  private long histogramCount(String name) {
    long total = 0;
    for (MetricData metric : metrics.collectAllMetrics()) {
      if (metric.getName().equals(name)) {
        for (HistogramPointData point : metric.getHistogramData().getPoints()) {
          if (durable.equals(point.getAttributes().get(ConsumerMetrics.CONSUMER))) {
            total += point.getCount();
          }
        }
      }
    }
    return total;
  }
}
