package dev.lattice.audit;

import static dev.lattice.audit.StreamPublisher.envelope;
import static dev.lattice.audit.StreamPublisher.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.events.v1.Envelope;
import dev.lattice.local.NatsServer;
import dev.lattice.notifications.v1.NotificationSent;
import dev.lattice.testing.PostgresExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit started before any producing service: its consumers wait for the streams and record their
 * events once the streams exist. Uses a nats-server of its own, without streams.
 */
@Timeout(120)
class AuditLateStreamIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void streamsCreatedAfterAuditStarted_areAuditedOnceTheyExist() throws Exception {
    try (NatsServer nats = NatsServer.start();
        AuditHarness audit = AuditHarness.start(postgres, nats.url(), Map.of())) {
      Thread.sleep(1_000); // the consumers have found no stream by now
      try (StreamPublisher streams = StreamPublisher.open(nats.url())) {
        UUID tenant = UUID.randomUUID();
        Envelope sent =
            streams.publish(
                envelope(
                    "notifications",
                    tenant,
                    "notification",
                    "n-1",
                    service("notifications"),
                    NotificationSent.getDefaultInstance()));

        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    audit.sqlLong(
                            "select count(*) from audit_records where event_id = ?::uuid",
                            sent.getEventId())
                        == 1);
        assertThat(audit.sqlLong("select count(*) from audit_records where tenant_id = ?", tenant))
            .isEqualTo(1);
      }
    }
  }
}
