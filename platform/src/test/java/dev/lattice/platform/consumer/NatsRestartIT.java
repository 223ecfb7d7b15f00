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
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import java.time.Duration;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The consumer survives a crash and restart of nats-server without anyone restarting it. */
class NatsRestartIT {

  private static final String STREAM = "RESTARTIT";
  private static final String SUBJECT = "lattice.restartit.thing_happened";
  private static final String DURABLE = "restart-consumer";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @Test
  void natsKilledAndRestartedWhileConsuming_consumptionResumes_eachEventOnce() throws Exception {
    try (NatsServer server = NatsServer.start();
        Database database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "restart-it")) {
      DSLContext dsl = database.dsl();
      Connection nats = EventsFixture.connect(server.url());
      try {
        EventsFixture.createStream(nats, STREAM, "lattice.restartit.>");
        DeadLetters.ensureStream(nats.jetStreamManagement());
        ConsumerSpec spec = EventsFixture.outageSpec("restart", DURABLE, STREAM, SUBJECT);
        try (EventConsumer consumer =
            EventConsumer.builder(spec, nats, dsl, new DeadLetters(nats), Telemetry.noop())
                .handle(
                    StringValue.class,
                    (context, payload) -> {
                      Thread.sleep(20); // still consuming when the server dies
                      applyEffect(context);
                    })
                .build()
                .start()) {
          assertThat(consumer.awaitReady(Duration.ofSeconds(10))).isTrue();
          for (int i = 0; i < 60; i++) {
            publish(nats, SUBJECT, envelope(SUBJECT, StringValue.of("before-" + i)), null);
          }
          await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, DURABLE) >= 10);

          server.kill();
          long afterKill = effects(dsl, DURABLE);
          Thread.sleep(1_000);
          server.restart();

          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> nats.getStatus() == Connection.Status.CONNECTED);
          // Connected is not yet JetStream-ready: the restarted server recovers its streams first.
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> nats.jetStreamManagement().getStreamInfo(STREAM) != null);
          for (int i = 0; i < 20; i++) {
            // Like the relay: a publish the freshly restarted server does not ack in time is
            // sent again with the same Nats-Msg-Id, which the stream de-duplicates.
            var event = envelope(SUBJECT, StringValue.of("after-" + i));
            await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> publish(nats, SUBJECT, event, null) != null);
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> effects(dsl, DURABLE) >= 80);
          Thread.sleep(2_500); // an ack wait: a lost ack would bring a redelivery now

          assertThat(afterKill).as("the kill happened mid-stream").isLessThan(60);
          assertThat(effects(dsl, DURABLE)).isEqualTo(80);
          assertThat(
                  dsl.resultQuery(
                          "select count(distinct event_id) from effect_log where consumer = ?",
                          DURABLE)
                      .fetchOne(0, Long.class))
              .isEqualTo(80);
          assertThat(new DeadLetters(nats).list("restart", 10, 0).deadLetters()).isEmpty();
        }
      } finally {
        nats.close();
      }
    }
  }
}
