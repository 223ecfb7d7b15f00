package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lattice.local.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  void probe_saysWhatWentWrong_inItsOwnWords() throws Exception {
    try (Connection nats = NatsConnector.connect(server.url(), "probe-it")) {
      NatsConnector.probe(nats, Duration.ofSeconds(5));
      server.pause();
      try {
        assertThatThrownBy(() -> NatsConnector.probe(nats, Duration.ofMillis(300)))
            .isInstanceOf(TimeoutException.class)
            .hasMessage("no answer to a PING within 300 ms");

        // A PING waiting when the connection goes: jnats ends it with its cancelled future's words.
        CompletableFuture<Throwable> cutShort =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    NatsConnector.probe(nats, Duration.ofSeconds(20));
                    return null;
                  } catch (Exception e) {
                    return e;
                  }
                });
        Thread.sleep(500);
        server.kill();
        assertThat(cutShort.get(25, TimeUnit.SECONDS))
            .hasMessageStartingWith("NATS connection ")
            .hasMessageEndingWith(" during a PING")
            .hasMessageNotContaining("Exception");
      } finally {
        server.restart();
      }
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> nats.getStatus() == Connection.Status.CONNECTED);
      NatsConnector.probe(nats, Duration.ofSeconds(5));
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
