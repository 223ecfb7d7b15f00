package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.applyEffect;
import static dev.lattice.platform.consumer.EventsFixture.effects;
import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import dev.lattice.local.NatsServer;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import java.time.Duration;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection on which nothing is answered any more is noticed and replaced, and the consumer on
 * it resumes by itself. The server is frozen (SIGSTOP) while a consumer consumes: its sockets stay
 * open and nothing comes back. That is also what a service saw of nats.java#1522, the cause of
 * {@link NatsRestartIT}'s old intermittent failure (docs/decisions/0004-events-backbone.md): a
 * client writer stuck after a reconnect sent nothing, so nothing was answered. The services'
 * connection ({@link NatsConnector}) pings every 5 s and gives up after two unanswered pings; this
 * test holds it to that, so a silent connection — whoever's bug makes it silent — costs seconds,
 * not the jnats default of minutes, and loses or repeats no event.
 */
class NatsFrozenIT {

  private static final String STREAM = "FROZENIT";
  private static final String SUBJECT = "lattice.frozenit.thing_happened";
  private static final String DURABLE = "frozen-consumer";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @Test
  void serverStopsAnsweringWhileConsuming_connectionReplaced_consumptionResumes_eachEventOnce()
      throws Exception {
    try (NatsServer server = NatsServer.start();
        Database database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "frozen-it")) {
      DSLContext dsl = database.dsl();
      Connection nats = NatsConnector.connect(server.url(), "frozen-it");
      try {
        EventsFixture.createStream(nats, STREAM, "lattice.frozenit.>");
        DeadLetters.ensureStream(nats.jetStreamManagement());
        ConsumerSpec spec = EventsFixture.outageSpec("frozen", DURABLE, STREAM, SUBJECT);
        try (EventConsumer consumer =
            EventConsumer.builder(spec, nats, dsl, new DeadLetters(nats), Telemetry.noop())
                .handle(
                    StringValue.class,
                    (context, payload) -> {
                      Thread.sleep(20); // still consuming when the server freezes
                      applyEffect(context);
                    })
                .build()
                .start()) {
          assertThat(consumer.awaitReady(Duration.ofSeconds(10))).isTrue();
          for (int i = 0; i < 60; i++) {
            publish(nats, SUBJECT, envelope(SUBJECT, StringValue.of("before-" + i)), null);
          }
          await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, DURABLE) >= 10);
          long reconnectsBefore = nats.getStatistics().getReconnects();

          server.pause();
          long afterFreeze = effects(dsl, DURABLE);
          try {
            // Two unanswered pings 5 s apart: noticed within about 15 s.
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> nats.getStatus() != Connection.Status.CONNECTED);
          } finally {
            server.resume();
          }

          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> nats.getStatus() == Connection.Status.CONNECTED);
          for (int i = 0; i < 20; i++) {
            var event = envelope(SUBJECT, StringValue.of("after-" + i));
            await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> publish(nats, SUBJECT, event, null) != null);
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> effects(dsl, DURABLE) >= 80);
          Thread.sleep(2_500); // an ack wait: a lost ack would bring a redelivery now

          assertThat(afterFreeze).as("the freeze happened mid-stream").isLessThan(60);
          assertThat(nats.getStatistics().getReconnects())
              .as("the silent connection was replaced")
              .isGreaterThan(reconnectsBefore);
          assertThat(effects(dsl, DURABLE)).isEqualTo(80);
          assertThat(
                  dsl.resultQuery(
                          "select count(distinct event_id) from effect_log where consumer = ?",
                          DURABLE)
                      .fetchOne(0, Long.class))
              .isEqualTo(80);
          assertThat(new DeadLetters(nats).list("frozen", 10, 0).deadLetters()).isEmpty();
        }
      } finally {
        nats.close();
      }
    }
  }
}
