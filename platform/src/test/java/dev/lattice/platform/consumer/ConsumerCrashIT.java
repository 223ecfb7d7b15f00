package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.Database;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Acceptance (issue #3): a consumer process killed between its commit and its acknowledgement, 50
 * times, each time on a different event; every event is redelivered and recognised by the inbox,
 * and no event has a second effect.
 *
 * <p>Each child ({@link CrashingConsumerMain}) stops right after the inbox transaction of the first
 * event it processes for the first time commits, before the ack, and the test kills it with SIGKILL
 * ({@code kill -9}) there. Exactly 50 children are started, two at a time sharing the durable
 * consumer (like two replicas, and so that JVM start-ups overlap); each one commits exactly one
 * fresh event, so the 50 crashes hit 50 different events. The effect is deliberately not idempotent
 * on its own ({@code effect_counter.n = n + 1} and a log without a unique key), so only the inbox
 * stands between a redelivery and a double effect. After the crashes a last child drains the
 * redeliveries.
 */
class ConsumerCrashIT {

  private static final int EVENTS = 50;

  /** Consumer processes alive at once, so that JVM start-ups overlap (2 cores). */
  private static final int CONCURRENT_PROCESSES = 2;

  private static final String STREAM = "CRASHIT";
  private static final String SUBJECT = "lattice.crashit.thing_happened";
  private static final String DURABLE = "crash-consumer";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void consumerKilledBetweenCommitAndAck50Times_everyEventRedelivered_noDoubleEffect()
      throws Exception {
    try (Database database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "crash-it");
        Connection nats = EventsFixture.connect(natsServer.url())) {
      DSLContext dsl = database.dsl();
      EventsFixture.createStream(nats, STREAM, "lattice.crashit.>");
      DeadLetters.ensureStream(nats.jetStreamManagement());
      Set<String> eventIds = new HashSet<>();
      for (int i = 0; i < EVENTS; i++) {
        Envelope event = envelope(SUBJECT, StringValue.of("event-" + i));
        publish(nats, SUBJECT, event, null);
        eventIds.add(event.getEventId());
      }

      long started = System.nanoTime();
      List<String> committed = new ArrayList<>();
      Set<String> recognised = new HashSet<>();
      long readyMillis = 0;
      int readyCount = 0;
      Deque<Child> running = new ArrayDeque<>();
      int launched = 0;
      int run = 0;
      while (run < EVENTS) {
        while (launched < EVENTS && running.size() < CONCURRENT_PROCESSES) {
          running.add(Child.start("crash"));
          launched++;
        }
        Child child = running.poll();
        run++;
        child.awaitLine("COMMITTED ", Duration.ofSeconds(60));
        child.process.destroyForcibly(); // SIGKILL between the commit and the ack
        boolean exited = child.process.waitFor(60, TimeUnit.SECONDS);
        assertThat(exited).as("run %d exits; output: %s", run, child.output).isTrue();
        assertThat(child.process.exitValue())
            .as("run %d died by the crash; output: %s", run, child.output)
            .isEqualTo(137);
        List<String> commits = child.lines("COMMITTED ");
        assertThat(commits).as("run %d commits exactly one fresh event", run).hasSize(1);
        committed.addAll(commits);
        recognised.addAll(child.lines("DUPLICATE "));
        for (String ready : child.lines("READY ")) { // absent if it crashed before saying so
          readyMillis += Long.parseLong(ready);
          readyCount++;
        }
      }
      Duration crashes = Duration.ofNanos(System.nanoTime() - started);

      Child drain = Child.start("drain");
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  ConsumerInfo info = nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE);
                  assertThat(info.getNumAckPending() + info.getNumPending())
                      .as("messages not yet acknowledged")
                      .isZero();
                  Set<String> seen = new HashSet<>(recognised);
                  seen.addAll(drain.lines("DUPLICATE "));
                  assertThat(seen)
                      .as("every crashed event came back and was recognised")
                      .isEqualTo(eventIds);
                });
        assertThat(drain.lines("COMMITTED ")).as("nothing fresh was left").isEmpty();
      } finally {
        drain.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }

      assertThat(new HashSet<>(committed))
          .as("each crash hit a different event")
          .hasSize(EVENTS)
          .isEqualTo(eventIds);
      assertThat(
              dsl.resultQuery("select n from effect_counter where id = 1").fetchOne(0, Long.class))
          .isEqualTo(EVENTS);
      assertThat(EventsFixture.effects(dsl, DURABLE)).isEqualTo(EVENTS);
      assertThat(
              dsl.resultQuery(
                      "select count(distinct event_id) from effect_log where consumer = ?", DURABLE)
                  .fetchOne(0, Long.class))
          .isEqualTo(EVENTS);
      assertThat(
              dsl.resultQuery("select count(*) from processed_events where consumer = ?", DURABLE)
                  .fetchOne(0, Long.class))
          .isEqualTo(EVENTS);
      assertThat(new DeadLetters(nats).list("crash", 10, 0).deadLetters()).isEmpty();
      System.out.printf(
          "ConsumerCrashIT: %d crashes in %d ms, %d processes at a time (a child is ready %d ms"
              + " after its start on average)%n",
          EVENTS, crashes.toMillis(), CONCURRENT_PROCESSES, readyMillis / Math.max(1, readyCount));
    }
  }

  /** A child JVM running {@link CrashingConsumerMain}, with its output collected. */
  private static final class Child {
    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();

    private Child(Process process) {
      this.process = process;
    }

    static Child start(String mode) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process =
          new ProcessBuilder(
                  java,
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-Xshare:auto",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashingConsumerMain.class.getName(),
                  natsServer.url(),
                  pg.jdbcUrl(),
                  pg.user(),
                  STREAM,
                  SUBJECT,
                  DURABLE,
                  mode)
              .redirectErrorStream(true)
              .start();
      Child child = new Child(process);
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (BufferedReader reader =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = reader.readLine()) != null) {
                    child.output.add(line);
                  }
                } catch (Exception e) {
                  // The process is gone; the assertions report what it printed.
                }
              });
      return child;
    }

    /** Waits until a line starts with {@code prefix} or the process ends. */
    void awaitLine(String prefix, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline
          && process.isAlive()
          && output.stream().noneMatch(line -> line.startsWith(prefix))) {
        Thread.sleep(10);
      }
    }

    /** The values of the lines that start with {@code prefix}. */
    List<String> lines(String prefix) throws InterruptedException {
      if (!process.isAlive()) {
        Thread.sleep(50); // let the reader reach the end of the output
      }
      return output.stream()
          .filter(line -> line.startsWith(prefix))
          .map(line -> line.substring(prefix.length()))
          .toList();
    }
  }
}
