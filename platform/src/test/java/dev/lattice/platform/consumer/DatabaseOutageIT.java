package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.applyEffect;
import static dev.lattice.platform.consumer.EventsFixture.effects;
import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import dev.lattice.local.PostgresServer;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The consumer's own database down for longer than its retries last: an outage is not the events'
 * fault, so none of them is dead-lettered; the consumer waits for the database and then handles
 * each event once, without anyone restarting it.
 */
class DatabaseOutageIT {

  private static final String STREAM = "DBOUTAGEIT";
  private static final String SUBJECT = "lattice.dboutageit.thing_happened";
  private static final String DURABLE = "db-outage-consumer";

  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  @Test
  void databaseDownLongerThanEveryRetry_noDeadLetter_eachEventHandledOnceAfterwards()
      throws Exception {
    try (PostgresServer pg = PostgresServer.start();
        Database database = outageDatabase(pg)) {
      Migrations.migrate(database.dataSource());
      EventsFixture.createEffectTables(database.dsl());
      DSLContext dsl = database.dsl();
      Connection nats = EventsFixture.connect(natsServer.url());
      try {
        EventsFixture.createStream(nats, STREAM, "lattice.dboutageit.>");
        DeadLetters.ensureStream(nats.jetStreamManagement());
        // Three deliveries 200 ms apart: without the database an event would use them all up
        // within seconds.
        ConsumerSpec spec =
            ConsumerSpec.of("dboutage", DURABLE, STREAM, SUBJECT)
                .withBatchSize(5)
                .withAckWait(Duration.ofSeconds(2))
                .withFetchExpires(Duration.ofSeconds(1))
                .withBackoff(List.of(Duration.ofMillis(200)))
                .withMaxDeliver(3);
        try (EventConsumer consumer =
            EventConsumer.builder(spec, nats, dsl, new DeadLetters(nats), Telemetry.noop())
                .handle(StringValue.class, (context, payload) -> applyEffect(context))
                .build()
                .start()) {
          assertThat(consumer.awaitReady(Duration.ofSeconds(10))).isTrue();
          publish(nats, SUBJECT, envelope(SUBJECT, StringValue.of("before")), null);
          await().atMost(Duration.ofSeconds(10)).until(() -> effects(dsl, DURABLE) == 1);

          pg.stop();
          try {
            for (int i = 0; i < 3; i++) {
              publish(nats, SUBJECT, envelope(SUBJECT, StringValue.of("during-" + i)), null);
            }
            Thread.sleep(15_000); // long enough for 3 deliveries of each event, many times over
          } finally {
            pg.restart();
          }

          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions() // the test's own pool reconnects too
              .until(() -> effects(dsl, DURABLE) == 4);
          Thread.sleep(2_500); // an ack wait: a lost ack would bring a redelivery now
          assertThat(effects(dsl, DURABLE)).isEqualTo(4);
          assertThat(new DeadLetters(nats).list("dboutage", 10, 0).deadLetters()).isEmpty();
        }
      } finally {
        nats.close();
      }
    }
  }

  /**
   * An event whose last delivery went unanswered while the database was down: the server delivers
   * it no more, so the watcher dead-letters it without reading the inbox rather than lose it.
   */
  @Test
  void deliveriesExhaustedWhileTheDatabaseIsDown_isDeadLetteredUnchecked() throws Exception {
    try (PostgresServer pg = PostgresServer.start();
        Database database = outageDatabase(pg)) {
      Migrations.migrate(database.dataSource());
      Connection nats = EventsFixture.connect(natsServer.url());
      try {
        String stream = STREAM + "_EXHAUSTED";
        String subject = "lattice.dboutageexhausted.thing_happened";
        EventsFixture.createStream(nats, stream, subject);
        DeadLetters deadLetters = new DeadLetters(nats);
        DeadLetters.ensureStream(nats.jetStreamManagement());
        ConsumerSpec spec = ConsumerSpec.of("dbexhausted", "exhausted", stream, subject);
        var event = envelope(subject, StringValue.of("last delivery unanswered"));
        long sequence = publish(nats, subject, event, null).getSeqno();
        ConsumerMetrics metrics =
            new ConsumerMetrics(
                io.opentelemetry.api.OpenTelemetry.noop().getMeter("t"), "exhausted");
        try (MaxDeliveriesWatcher watcher =
            new MaxDeliveriesWatcher(
                nats, spec, database.dsl(), new DeadLetterSender(spec, deadLetters, metrics))) {
          pg.stop();
          try {
            watcher.deadLetter(sequence, spec.maxDeliver()); // as its advisory would
          } finally {
            pg.restart();
          }
        }

        List<StoredDeadLetter> found = deadLetters.list("dbexhausted", 10, 0).deadLetters();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).eventId()).isEqualTo(event.getEventId());
        assertThat(found.get(0).cause()).isEqualTo(DeadLetterCause.MAX_DELIVERIES_EXCEEDED);
      } finally {
        nats.close();
      }
    }
  }

  /** A pool whose checkout gives up after 1 s while the server is down. */
  private static Database outageDatabase(PostgresServer pg) {
    return Database.open(
        new DbConfig(
            pg.jdbcUrl("postgres"),
            pg.user(),
            "",
            4,
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            "db-outage-it"));
  }
}
