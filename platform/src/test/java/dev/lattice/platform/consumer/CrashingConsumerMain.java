package dev.lattice.platform.consumer;

import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A consumer process for {@link ConsumerCrashIT}. Arguments: NATS URL, JDBC URL, database user,
 * stream, subject, durable name, mode. It handles events with {@link EventsFixture#applyEffect} and
 * prints {@code READY <ms since the JVM started>}, {@code DUPLICATE <event_id>} for every
 * redelivery its inbox recognises and {@code COMMITTED <event_id>} after the first effect it
 * commits. In mode {@code crash} it then stops before acknowledging and waits for the test to kill
 * it with SIGKILL ({@code kill -9}); in mode {@code drain} it keeps consuming until killed.
 */
public final class CrashingConsumerMain {

  private CrashingConsumerMain() {}

  public static void main(String[] args) throws Exception {
    String natsUrl = args[0];
    String jdbcUrl = args[1];
    String user = args[2];
    String stream = args[3];
    String subject = args[4];
    String durable = args[5];
    String mode = args[6];
    Connection nats = EventsFixture.connect(natsUrl);
    Database database =
        Database.open(DbConfig.of(jdbcUrl, user, "", "crash-child").withPoolSize(2));
    ConsumerSpec spec =
        ConsumerSpec.of("crash", durable, stream, subject)
            .withBatchSize(1)
            .withAckWait(Duration.ofSeconds(1))
            .withMaxDeliver(20)
            .withBackoff(List.of(Duration.ofMillis(100)));
    EventConsumer consumer =
        EventConsumer.builder(spec, nats, database.dsl(), new DeadLetters(nats), Telemetry.noop())
            .handle(StringValue.class, (context, payload) -> EventsFixture.applyEffect(context))
            .listener(
                new ConsumerListener() {
                  @Override
                  public void afterCommitBeforeAck(Envelope envelope) {
                    say("COMMITTED " + envelope.getEventId());
                    if (mode.equals("crash")) {
                      flush(nats); // earlier acks reach the server; this message's never does
                      hangUntilKilled(); // the test sends SIGKILL now, before the ack
                    }
                  }

                  @Override
                  public void afterDuplicateBeforeAck(Envelope envelope) {
                    say("DUPLICATE " + envelope.getEventId());
                  }
                })
            .build()
            .start();
    if (!consumer.awaitReady(Duration.ofSeconds(20))) {
      say("NOT_READY");
      Runtime.getRuntime().halt(2);
    }
    say("READY " + sinceStart());
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Milliseconds since this JVM started. */
  private static long sinceStart() {
    return ProcessHandle.current()
        .info()
        .startInstant()
        .map(start -> Duration.between(start, Instant.now()).toMillis())
        .orElse(-1L);
  }

  private static void hangUntilKilled() {
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // Only SIGKILL ends this process's part in the test.
      }
    }
  }

  private static void flush(Connection nats) {
    try {
      nats.flush(Duration.ofSeconds(2));
    } catch (Exception e) {
      // The crash goes ahead regardless.
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
