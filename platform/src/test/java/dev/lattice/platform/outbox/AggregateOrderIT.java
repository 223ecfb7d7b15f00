package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.event;
import static dev.lattice.platform.outbox.OutboxTestSupport.pending;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #3: 100 aggregates × 20 events written concurrently while two relays run and are restarted
 * at random → a consumer of the stream sees every aggregate's versions in strictly increasing
 * order, and all 2,000 events.
 *
 * <p>Writers commit each aggregate's versions two at a time, so an aggregate often has two pending
 * rows. Relay A runs in this JVM and is closed and started again every 0.2–1 s. Relay B runs in a
 * child process with small batches, pauses 20–150 ms holding each claimed batch, and is killed with
 * SIGKILL 0.3–1.5 s after it starts, mostly while holding claimed rows. Without the per-aggregate
 * rule relay A would publish the next version of an aggregate while B holds the previous one.
 */
class AggregateOrderIT {

  private static final String SERVICE = "aggorder";
  private static final int AGGREGATES = 100;
  private static final int VERSIONS = 20;
  private static final int WRITERS = 10;
  private static final int MIN_KILLS = 4;
  private static final int MIN_RESTARTS = 4;

  @RegisterExtension static final PostgresExtension pg = OutboxTestSupport.migratedPostgres();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static Database db;
  private static Connection nats;

  @BeforeAll
  static void setUp() throws Exception {
    db = OutboxTestSupport.open(pg, "aggorder-it", 16);
    nats = OutboxTestSupport.connect(natsServer.url(), "aggorder-it");
    OutboxTestSupport.provision(nats, SERVICE);
  }

  @AfterAll
  static void tearDown() throws Exception {
    nats.close();
    db.close();
  }

  @Test
  void concurrentWritesWithRelaysRestartedAtRandom_keepPerAggregateOrder() throws Exception {
    DSLContext dsl = db.dsl();
    OutboxWriter writer = OutboxWriter.create(SERVICE, Telemetry.noop());
    DbConfig dbConfig = OutboxTestSupport.dbConfig(pg, "aggorder-relay", 4);
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int first = w * (AGGREGATES / WRITERS);
      writers.add(
          Thread.ofPlatform()
              .name("writer-" + w)
              .start(
                  () -> {
                    try {
                      for (int v = 1; v <= VERSIONS; v += 2) {
                        List<Integer> order = new ArrayList<>();
                        for (int a = first; a < first + AGGREGATES / WRITERS; a++) {
                          order.add(a);
                        }
                        Collections.shuffle(order);
                        for (int a : order) {
                          OutboxTestSupport.write(dsl, writer, event("agg-" + a, v));
                          OutboxTestSupport.write(dsl, writer, event("agg-" + a, v + 1));
                          Thread.sleep(ThreadLocalRandom.current().nextInt(40, 160));
                        }
                      }
                    } catch (Throwable t) {
                      failures.add(t);
                    }
                  }));
    }

    AtomicInteger restarts = new AtomicInteger();
    Thread relayA =
        Thread.ofPlatform()
            .name("chaos-a")
            .start(
                () -> {
                  try {
                    while (writing.get() || restarts.get() < MIN_RESTARTS) {
                      try (OutboxRelay relay =
                          OutboxRelay.builder(SERVICE, dsl, nats)
                              .config(
                                  OutboxRelayConfig.defaults()
                                      .withInstanceId("a-" + restarts.get())
                                      .withPollInterval(Duration.ofMillis(100)))
                              .listenConnection(dbConfig)
                              .build()) {
                        relay.start();
                        Thread.sleep(ThreadLocalRandom.current().nextInt(200, 1_000));
                      }
                      restarts.incrementAndGet();
                    }
                  } catch (Throwable t) {
                    failures.add(t);
                  }
                });

    // Relay B processes start up ahead of time (about 1.5 s each), two in reserve.
    int kills = 0;
    Deque<ChildRelay> reserve = new ArrayDeque<>();
    try {
      while (writers.stream().anyMatch(Thread::isAlive) || kills < MIN_KILLS) {
        while (reserve.size() < 2) {
          reserve.add(
              ChildRelay.start(
                  pg.jdbcUrl(),
                  natsServer.url(),
                  SERVICE,
                  "b-" + (kills + reserve.size()),
                  "8",
                  "run-slow"));
        }
        ChildRelay current = reserve.poll();
        current.go(Duration.ofSeconds(30));
        Thread.sleep(ThreadLocalRandom.current().nextInt(300, 1_500));
        assertThat(current.isAlive()).as("relay B log:%n%s", current.log()).isTrue();
        current.close(); // SIGKILL
        kills++;
      }
    } finally {
      for (ChildRelay child : reserve) {
        child.close();
      }
      writing.set(false);
    }
    for (Thread t : writers) {
      t.join();
    }
    relayA.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(failures).isEmpty();

    try (OutboxRelay last =
        OutboxRelay.builder(SERVICE, dsl, nats)
            .config(OutboxRelayConfig.defaults().withInstanceId("last"))
            .build()) {
      assertThat(last.flush(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(pending(dsl)).isZero();

    List<OutboxTestSupport.Stored> stored =
        OutboxTestSupport.readStream(nats, EventSubjects.streamName(SERVICE));
    Map<String, Long> lastVersion = new HashMap<>();
    Map<String, List<Long>> versions = new HashMap<>();
    Set<String> eventIds = new HashSet<>();
    int inversions = 0;
    for (OutboxTestSupport.Stored s : stored) {
      Envelope e = s.envelope();
      eventIds.add(e.getEventId());
      Long previous = lastVersion.put(e.getAggregateId(), e.getAggregateVersion());
      if (previous != null && e.getAggregateVersion() <= previous) {
        inversions++;
      }
      versions
          .computeIfAbsent(e.getAggregateId(), k -> new ArrayList<>())
          .add(e.getAggregateVersion());
    }

    assertThat(inversions).isZero();
    assertThat(stored).hasSize(AGGREGATES * VERSIONS);
    assertThat(eventIds).hasSize(AGGREGATES * VERSIONS);
    assertThat(versions).hasSize(AGGREGATES);
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= VERSIONS; v++) {
      expected.add(v);
    }
    assertThat(versions.values()).allMatch(expected::equals);
  }
}
