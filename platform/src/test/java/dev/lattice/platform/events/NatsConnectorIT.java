package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lattice.local.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connection's outage behaviour, against a nats-server of its own that it stops. */
class NatsConnectorIT {

  private static NatsServer server;

  @BeforeAll
  static void startServer() {
    server = NatsServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void publishWhileDisconnected_failsAtOnce_andWorksAgainAfterTheReconnect() throws Exception {
    try (Connection nats = NatsConnector.connect(server.url(), "connector-it")) {
      EventStreams.ensureServiceStream(nats.jetStreamManagement(), "connector");
      JetStream js = nats.jetStream();
      js.publishAsync("lattice.connector.probe", new byte[] {1}).get(5, TimeUnit.SECONDS);

      server.stop();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> nats.getStatus() != Connection.Status.CONNECTED);

      // With a reconnect buffer the client would queue this and report nothing.
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  js.publishAsync(
                      "lattice.connector.probe",
                      new byte[] {2},
                      PublishOptions.builder().messageId("m2").build()))
          .isInstanceOf(IllegalStateException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));

      server.restart();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> nats.getStatus() == Connection.Status.CONNECTED);
      assertThat(
              js.publishAsync("lattice.connector.probe", new byte[] {3})
                  .get(5, TimeUnit.SECONDS)
                  .getSeqno())
          .isEqualTo(2);
    }
  }

  @Test
  void options_neverBufferAndReconnectForever() {
    var options = NatsConnector.options("nats://a:4222, nats://b:4222", "orders");

    assertThat(options.getReconnectBufferSize()).isZero();
    assertThat(options.getMaxReconnect()).isEqualTo(-1);
    assertThat(options.getReconnectJitter()).isPositive();
    assertThat(options.getServers()).hasSize(2);
    assertThat(options.getConnectionName()).isEqualTo("orders");
  }
}
