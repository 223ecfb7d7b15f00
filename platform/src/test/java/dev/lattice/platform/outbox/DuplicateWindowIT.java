package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.event;
import static dev.lattice.platform.outbox.OutboxTestSupport.pending;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.EventHeaders;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #3: a publisher that re-publishes 1,000 events 3 times each → exactly one stored copy of
 * each. The publisher is the relay itself: after each pass the same outbox rows (same event ids,
 * same bytes) are put back, as a relay crash or a lost ack would leave them.
 */
class DuplicateWindowIT {

  private static final String SERVICE = "dupwin";
  private static final int EVENTS = 1_000;

  @RegisterExtension static final PostgresExtension pg = OutboxTestSupport.migratedPostgres();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static Database db;
  private static Connection nats;

  @BeforeAll
  static void setUp() throws Exception {
    db = OutboxTestSupport.open(pg, "dupwin-it", 4);
    nats = OutboxTestSupport.connect(natsServer.url(), "dupwin-it");
    OutboxTestSupport.provision(nats, SERVICE);
  }

  @AfterAll
  static void tearDown() throws Exception {
    nats.close();
    db.close();
  }

  @Test
  void republishing1000Events3Times_storesEachExactlyOnce() throws Exception {
    DSLContext dsl = db.dsl();
    OutboxWriter writer = OutboxWriter.create(SERVICE, Telemetry.noop());
    Set<UUID> written = new HashSet<>();
    for (int tx = 0; tx < EVENTS / 10; tx++) {
      int base = tx * 10;
      dsl.transaction(
          c -> {
            for (int i = base; i < base + 10; i++) {
              written.add(writer.append(c.dsl(), event("o-" + i, 1)).eventId());
            }
          });
    }
    dsl.execute("create table outbox_copy as select * from outbox_events");

    Map<UUID, AtomicInteger> acks = new ConcurrentHashMap<>();
    try (OutboxRelay publisher =
        OutboxRelay.builder(SERVICE, dsl, nats)
            .config(OutboxRelayConfig.defaults().withInstanceId("publisher"))
            .listener(
                new OutboxRelay.Listener() {
                  @Override
                  public void afterAckBeforeMark(List<PendingEvent> acked) {
                    acked.forEach(
                        e ->
                            acks.computeIfAbsent(e.eventId(), k -> new AtomicInteger())
                                .incrementAndGet());
                  }
                })
            .build()) {
      for (int pass = 1; pass <= 3; pass++) {
        if (pass > 1) {
          dsl.execute(
              "insert into outbox_events (event_id, tenant_id, aggregate_type, aggregate_id,"
                  + " aggregate_version, subject, event_type, envelope, headers)"
                  + " select event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,"
                  + " subject, event_type, envelope, headers from outbox_copy order by id");
        }
        assertThat(pending(dsl)).isEqualTo(EVENTS);
        assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
        assertThat(pending(dsl)).isZero();
      }
    }

    // Every event was published and acknowledged three times ...
    assertThat(acks).hasSize(EVENTS);
    assertThat(acks.values()).allMatch(n -> n.get() == 3);
    // ... and the stream kept one copy of each.
    String stream = EventSubjects.streamName(SERVICE);
    assertThat(OutboxTestSupport.streamCount(nats, stream)).isEqualTo(EVENTS);
    List<OutboxTestSupport.Stored> stored = OutboxTestSupport.readStream(nats, stream);
    assertThat(stored).hasSize(EVENTS);
    assertThat(stored.stream().map(OutboxTestSupport.Stored::eventId).toList())
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(written);
    assertThat(stored)
        .allMatch(s -> s.headers().getFirst(EventHeaders.MSG_ID).equals(s.eventId().toString()));
    assertThat(
            nats.jetStreamManagement()
                .getStreamInfo(stream)
                .getConfiguration()
                .getDuplicateWindow())
        .isEqualTo(Duration.ofMinutes(2));
  }
}
