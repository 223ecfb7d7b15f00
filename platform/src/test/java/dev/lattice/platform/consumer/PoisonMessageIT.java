package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.applyEffect;
import static dev.lattice.platform.consumer.EventsFixture.effects;
import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Acceptance (issue #3): a poison message gets exactly max_deliver deliveries, then sits in
 * DEAD_LETTERS with its reason; once the handler is fixed, a replay has it processed exactly once
 * and it no longer lists.
 */
class PoisonMessageIT {

  private static final String SERVICE = "poison";
  private static final String STREAM = "POISONIT";
  private static final String SUBJECT = "lattice.poisonit.order_created";
  private static final String DURABLE = "poison-order-created";
  private static final int MAX_DELIVER = 4;
  private static final List<Duration> BACKOFF =
      List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static Connection nats;
  private static Database database;
  private static DSLContext dsl;

  @BeforeAll
  static void setUp() throws Exception {
    nats = EventsFixture.connect(natsServer.url());
    EventsFixture.createStream(nats, STREAM, "lattice.poisonit.>");
    DeadLetters.ensureStream(nats.jetStreamManagement());
    database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "poison-it");
    dsl = database.dsl();
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    database.close();
    nats.close();
  }

  @Test
  void poisonMessage_exactlyMaxDeliverDeliveries_deadLettered_thenFixedAndReplayedOnce()
      throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    List<Integer> replays = new CopyOnWriteArrayList<>();
    List<Long> deliveryTimes = new CopyOnWriteArrayList<>();
    DeadLetters deadLetters = new DeadLetters(nats);
    ConsumerSpec spec =
        ConsumerSpec.of(SERVICE, DURABLE, STREAM, SUBJECT)
            .withMaxDeliver(MAX_DELIVER)
            .withBackoff(BACKOFF);
    try (EventConsumer consumer =
        EventConsumer.builder(spec, nats, dsl, deadLetters, Telemetry.noop())
            .handle(
                StringValue.class,
                (context, payload) -> {
                  deliveries.add(context.deliveryCount());
                  replays.add(context.replayCount());
                  deliveryTimes.add(System.nanoTime());
                  applyEffect(context); // rolled back while broken
                  if (broken.get()) {
                    throw new TransientEventException("payment provider unavailable");
                  }
                })
            .build()
            .start()) {
      Envelope poison = envelope(SUBJECT, StringValue.of("order-1"));
      publish(nats, SUBJECT, poison, null);

      DeadLetterQuery query = new DeadLetterQuery(SERVICE, DURABLE, "", 10, 0);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !deadLetters.list(query).deadLetters().isEmpty());
      StoredDeadLetter deadLetter = deadLetters.list(query).deadLetters().get(0);
      awaitNothingPending();
      Thread.sleep(500); // longer than every backoff: no further delivery may come

      assertThat(deliveries).containsExactly(1L, 2L, 3L, 4L);
      for (int i = 1; i < MAX_DELIVER; i++) {
        assertThat(Duration.ofNanos(deliveryTimes.get(i) - deliveryTimes.get(i - 1)))
            .as("pause before delivery %d", i + 1)
            .isGreaterThanOrEqualTo(BACKOFF.get(i - 1).minusMillis(20));
      }
      assertThat(deadLetter.cause()).isEqualTo(DeadLetterCause.MAX_DELIVERIES_EXCEEDED);
      assertThat(deadLetter.consumer()).isEqualTo(DURABLE);
      assertThat(deadLetter.service()).isEqualTo(SERVICE);
      assertThat(deadLetter.deliveryCount()).isEqualTo(MAX_DELIVER);
      assertThat(deadLetter.errorMessage())
          .isEqualTo("TransientEventException: payment provider unavailable");
      assertThat(deadLetter.eventId()).isEqualTo(poison.getEventId());
      assertThat(deadLetter.subject()).isEqualTo(SUBJECT);
      assertThat(deadLetter.stream()).isEqualTo(STREAM);
      assertThat(deadLetter.data()).isEqualTo(poison.toByteArray());
      assertThat(effects(dsl, DURABLE)).isZero();

      broken.set(false);
      StoredDeadLetter replayed = deadLetters.replay(SERVICE, deadLetter.id());

      await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, DURABLE) == 1);
      awaitNothingPending();
      Thread.sleep(300);
      assertThat(effects(dsl, DURABLE, poison.getEventId())).isEqualTo(1);
      assertThat(deliveries).hasSize(MAX_DELIVER + 1).endsWith(1L);
      assertThat(replays)
          .as("the handler sees which deliveries are replays")
          .containsExactly(0, 0, 0, 0, 1);
      assertThat(replayed.pending()).isFalse();
      assertThat(replayed.replayCount()).isEqualTo(1);
      assertThat(deadLetters.list(query).deadLetters()).isEmpty();
      NotFoundException gone =
          catchThrowableOfType(
              NotFoundException.class, () -> deadLetters.replay(SERVICE, deadLetter.id()));
      assertThat(gone.reason()).isEqualTo(DeadLetters.NOT_FOUND_REASON);
      String replayMsgId =
          nats.jetStreamManagement()
              .getLastMessage(STREAM, SUBJECT)
              .getHeaders()
              .getFirst("Nats-Msg-Id");
      assertThat(replayMsgId).isEqualTo(poison.getEventId() + ":replay:" + deadLetter.sequence());
    }
  }

  private static void awaitNothingPending() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              ConsumerInfo info = nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE);
              return info.getNumAckPending() == 0 && info.getNumPending() == 0;
            });
  }
}
