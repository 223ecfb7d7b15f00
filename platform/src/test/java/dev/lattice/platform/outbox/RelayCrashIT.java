package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.event;
import static dev.lattice.platform.outbox.OutboxTestSupport.pending;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #3: crash points of the relay, 20 times each, in real processes halted at the point → 0
 * lost events, and a plain consumer of the stream sees every event exactly once.
 *
 * <p>Each run writes 20 events (the business commit) and starts a relay process with batches of 5
 * that halts at the chosen point of its 2nd or 3rd batch, so it has published some events before
 * dying and leaves others behind (its own and those of earlier runs) for the next relay. At the end
 * a fresh relay in this JVM publishes what is left.
 */
class RelayCrashIT {

  private static final int RUNS = 20;
  private static final int EVENTS_PER_RUN = 20;
  private static final int BATCH = 5;

  @RegisterExtension final PostgresExtension pg = OutboxTestSupport.migratedPostgres();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private Database db;
  private DSLContext dsl;
  private Connection nats;

  @BeforeEach
  void setUp() throws Exception {
    db = OutboxTestSupport.open(pg, "crash-it", 4);
    dsl = db.dsl();
    nats = OutboxTestSupport.connect(natsServer.url(), "crash-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    nats.close();
    db.close();
  }

  @Test
  @Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
  void crashAfterCommitBeforePublish_20times_losesNothing_publishesEachOnce() throws Exception {
    crashRepeatedly("crash_before", "crash-before-publish");
  }

  @Test
  @Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
  void crashAfterAckBeforeMarkingSent_20times_losesNothing_publishesEachOnce() throws Exception {
    crashRepeatedly("crash_after", "crash-after-ack");
  }

  /** A relay process that will halt at {@code mode} in its 2nd or 3rd batch. */
  private ChildRelay child(String service, String mode, int run) throws Exception {
    int crashAt = 2 + ThreadLocalRandom.current().nextInt(2);
    return ChildRelay.start(
        pg.jdbcUrl(), natsServer.url(), service, "child-" + run, "" + BATCH, mode, "" + crashAt);
  }

  private void crashRepeatedly(String service, String mode) throws Exception {
    OutboxTestSupport.provision(nats, service);
    String stream = EventSubjects.streamName(service);
    OutboxWriter writer = OutboxWriter.create(service, Telemetry.noop());
    Set<UUID> written = new HashSet<>();
    int aheadOfOutbox = 0;

    // Starting a JVM costs ~1.5 s of class loading, so two children are always warming up while
    // the current one works; they start relaying only when told.
    Deque<ChildRelay> warm = new ArrayDeque<>();
    try {
      for (int run = 0; run < RUNS; run++) {
        while (warm.size() < 3 && run + warm.size() < RUNS) {
          warm.add(child(service, mode, run + warm.size()));
        }
        for (int i = 0; i < EVENTS_PER_RUN; i++) {
          written.add(OutboxTestSupport.write(dsl, writer, event(run + "-" + i, 1)).eventId());
        }
        try (ChildRelay child = warm.poll()) {
          child.go(Duration.ofSeconds(30));
          int exit = child.awaitExit(Duration.ofSeconds(30));
          assertThat(exit)
              .as("exit of run %d; log:%n%s", run, child.log())
              .isEqualTo(RelayChildMain.CRASHED);
        }
        long removed = written.size() - pending(dsl);
        long inStream = OutboxTestSupport.streamCount(nats, stream);
        if (mode.equals("crash-before-publish")) {
          // The claimed batch died unpublished: the stream holds exactly the removed rows.
          assertThat(inStream).isEqualTo(removed);
        } else {
          // The acknowledged batch died unmarked: the stream is ahead of the outbox.
          assertThat(inStream).isGreaterThan(removed);
          aheadOfOutbox++;
        }
      }
    } finally {
      for (ChildRelay child : warm) {
        child.close();
      }
    }

    try (OutboxRelay survivor =
        OutboxRelay.builder(service, dsl, nats)
            .config(OutboxRelayConfig.defaults().withInstanceId("survivor"))
            .build()) {
      assertThat(survivor.flush(Duration.ofSeconds(60))).isTrue();
    }

    assertThat(pending(dsl)).isZero();
    List<OutboxTestSupport.Stored> stored = OutboxTestSupport.readStream(nats, stream);
    List<UUID> ids =
        new ArrayList<>(stored.stream().map(OutboxTestSupport.Stored::eventId).toList());
    assertThat(ids).hasSize(RUNS * EVENTS_PER_RUN);
    assertThat(new HashSet<>(ids)).isEqualTo(written);
    if (mode.equals("crash-after-ack")) {
      assertThat(aheadOfOutbox).isEqualTo(RUNS);
    }
  }
}
