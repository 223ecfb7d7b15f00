package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
@SuppressWarnings("try") // jnats' Connection.close() declares InterruptedException
class NatsServerTest {

  @Test
  void start_acceptsClientsWithJetStreamEnabled() throws Exception {
    try (NatsServer nats = NatsServer.start(NatsServer.Options.temporary().withMonitoring(true))) {
      assertThat(nats.url()).isEqualTo("nats://127.0.0.1:" + nats.port());
      assertThat(nats.monitoringPort()).isPositive();
      try (Socket socket = new Socket("127.0.0.1", nats.port())) {
        String info =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(info).startsWith("INFO ").contains("\"jetstream\":true");
      }
    }
  }

  @Test
  void restart_keepsAcknowledgedStreamMessage_onSamePort() throws Exception {
    try (NatsServer nats = NatsServer.start()) {
      int port = nats.port();
      long seq;
      try (Connection nc = Nats.connect(nats.url())) {
        JetStreamManagement jsm = nc.jetStreamManagement();
        jsm.addStream(
            StreamConfiguration.builder()
                .name("ORDERS")
                .subjects("orders.>")
                .storageType(StorageType.File)
                .build());
        PublishAck ack =
            nc.jetStream().publish("orders.created", "order-1".getBytes(StandardCharsets.UTF_8));
        seq = ack.getSeqno();
      }

      nats.restart();

      assertThat(nats.port()).isEqualTo(port);
      assertThat(readBack(nats, seq)).isEqualTo("order-1");
    }
  }

  @Test
  void kill_thenRestart_keepsAcknowledgedStreamMessage() throws Exception {
    try (NatsServer nats = NatsServer.start()) {
      long seq;
      try (Connection nc = Nats.connect(nats.url())) {
        nc.jetStreamManagement()
            .addStream(
                StreamConfiguration.builder().name("PAYMENTS").subjects("payments.>").build());
        JetStream js = nc.jetStream();
        seq = js.publish("payments.captured", "pay-1".getBytes(StandardCharsets.UTF_8)).getSeqno();
      }

      nats.kill();
      assertThat(nats.isRunning()).isFalse();
      nats.restart();

      assertThat(readBack(nats, seq, "PAYMENTS")).isEqualTo("pay-1");
    }
  }

  @Test
  void persistentStore_survivesANewServer(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("nats/store");
    long seq;
    try (NatsServer nats = NatsServer.start(NatsServer.Options.persistent(store, 0));
        Connection nc = Nats.connect(nats.url())) {
      nc.jetStreamManagement()
          .addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build());
      seq =
          nc.jetStream()
              .publish("orders.created", "kept".getBytes(StandardCharsets.UTF_8))
              .getSeqno();
    }
    try (NatsServer nats = NatsServer.start(NatsServer.Options.persistent(store, 0))) {
      assertThat(readBack(nats, seq)).isEqualTo("kept");
    }
    assertThat(store).isDirectory();
  }

  @Test
  void close_stopsServerAndDeletesTemporaryStore() {
    NatsServer nats = NatsServer.start();
    Path store = nats.storeDir();
    long pid = nats.pid();
    assertThat(pid).isPositive();

    nats.close();

    assertThat(store).doesNotExist();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void config_setsSyncAlwaysOnlyFrom2_10() {
    Path pid = Path.of("/tmp/x.pid");
    Path store = Path.of("/tmp/store");
    String old =
        NatsServer.config(NatsBinary.parse(pid, "nats-server: v2.9.10"), 4222, -1, pid, store);
    String current =
        NatsServer.config(NatsBinary.parse(pid, "nats-server: v2.10.22"), 4222, 8222, pid, store);

    assertThat(old)
        .contains("store_dir: \"/tmp/store\"")
        .doesNotContain("sync_interval")
        .doesNotContain("http");
    assertThat(current).contains("sync_interval: always").contains("http: \"127.0.0.1:8222\"");
  }

  @Test
  void start_onInstalledServer_writesConfigMatchingItsVersion() throws Exception {
    try (NatsServer nats = NatsServer.start()) {
      String conf = Files.readString(nats.storeDir().getParent().resolve("nats.conf"));
      assertThat(conf.contains("sync_interval: always")).isEqualTo(nats.syncsEveryWrite());
      assertThat(nats.syncsEveryWrite()).isEqualTo(!nats.version().startsWith("2.9."));
    }
  }

  @Test
  void missingBinary_failsWithOneLineNamingTheInstallCommand(@TempDir Path empty) {
    assertThatThrownBy(() -> NatsBinary.locate(Map.of("PATH", empty.toString()), List.of(empty)))
        .isInstanceOf(ServerStartException.class)
        .hasMessageContaining("apt-get install nats-server")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(
            () ->
                NatsBinary.locate(
                    Map.of("LATTICE_NATS_SERVER", empty.resolve("nats-server").toString()),
                    List.of()))
        .hasMessageContaining("apt-get install nats-server")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private static String readBack(NatsServer nats, long seq) throws Exception {
    return readBack(nats, seq, "ORDERS");
  }

  private static String readBack(NatsServer nats, long seq, String stream) throws Exception {
    try (Connection nc = Nats.connect(nats.url())) {
      MessageInfo message = nc.jetStreamManagement().getMessage(stream, seq);
      return new String(message.getData(), StandardCharsets.UTF_8);
    }
  }
}
