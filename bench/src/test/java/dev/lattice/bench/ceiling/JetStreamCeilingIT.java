package dev.lattice.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.local.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JetStream ceiling end to end on a private nats-server. */
class JetStreamCeilingIT {

  @Test
  void measure_publishesWithAcks_andDeletesItsStream() throws Exception {
    try (NatsServer server = NatsServer.start()) {
      JetStreamCeiling.Result result =
          JetStreamCeiling.measure(
              server.url(),
              JetStreamCeiling.Settings.orderCreatedSized(
                  Duration.ofMillis(500), Duration.ofSeconds(1)));

      assertThat(result.messagesPerSecond()).isPositive();
      assertThat(result.ackLatency().count()).isPositive();
      assertThat(result.ackLatency().p99Millis())
          .isGreaterThanOrEqualTo(result.ackLatency().p50Millis());
      try (Connection nats = Nats.connect(server.url())) {
        assertThat(nats.jetStreamManagement().getStreamNames()).isEmpty();
      }
    }
  }
}
