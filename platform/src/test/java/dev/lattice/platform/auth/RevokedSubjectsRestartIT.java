package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Envelope;
import dev.lattice.local.NatsServer;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.NatsConnector;
import io.nats.client.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Token revocations keep following identity's deletions after nats-server restarts: the list
 * recovers within seconds of the connection, without anyone restarting the service.
 */
class RevokedSubjectsRestartIT {

  @Test
  void natsRestarted_deletionsAfterwardsStillRevoke() throws Exception {
    try (NatsServer server = NatsServer.start()) {
      Connection nats = NatsConnector.connect(server.url(), "revoked-restart-it");
      try {
        EventStreams.ensureServiceStream(nats.jetStreamManagement(), "identity");
        RevokedSubjects revoked = RevokedSubjects.follow(nats, Clock.systemUTC());
        try {
          String before = UUID.randomUUID().toString();
          publishDeletion(nats, before);
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> revoked.isRevoked(before, Instant.now().minusSeconds(60)));

          server.restart();

          String after = UUID.randomUUID().toString();
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions() // until the restarted server takes JetStream publishes again
              .until(
                  () -> {
                    publishDeletion(nats, after);
                    return true;
                  });
          // Three missed heartbeats and a new consumer; jnats's default heartbeat took ~30 s.
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> revoked.isRevoked(after, Instant.now().minusSeconds(60)));
          assertThat(revoked.isRevoked(before, Instant.now().minusSeconds(60))).isTrue();
        } finally {
          revoked.close();
        }
      } finally {
        nats.close();
      }
    }
  }

  private static void publishDeletion(Connection nats, String subject) throws Exception {
    Instant now = Instant.now();
    Envelope envelope =
        Envelope.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setType(RevokedSubjects.USER_DELETED)
            .setSource("identity")
            .setAggregateId(subject)
            .setOccurredAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .build();
    nats.jetStream().publish(RevokedSubjects.USER_DELETED, envelope.toByteArray());
  }
}
