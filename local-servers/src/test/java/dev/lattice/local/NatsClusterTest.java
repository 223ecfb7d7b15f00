package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.Replica;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three nats-servers as one JetStream cluster: a stream of three replicas keeps every acknowledged
 * message when the member leading it is killed (SIGKILL) under publishing, and the member, once
 * restarted, catches up with the others.
 *
 * <p>The members' logs stay in {@code target/nats-cluster-test/<start millis>/nats-<n>.log}.
 */
class NatsClusterTest {

  private static final String STREAM = "CLUSTER_TEST";
  private static final Duration STARTUP = Duration.ofSeconds(30);

  @Test
  void streamLeaderKilledUnderPublishing_losesNoAcknowledgedMessage_andCatchesUpOnRestart()
      throws Exception {
    Path logs = Path.of("target", "nats-cluster-test", Long.toString(System.currentTimeMillis()));
    try (NatsCluster cluster = NatsCluster.start(3, null, logs, List.of(), STARTUP);
        Connection nc =
            Nats.connect(
                Options.builder()
                    .servers(cluster.urls().split(","))
                    .maxReconnects(-1)
                    .reconnectWait(Duration.ofMillis(100))
                    .build())) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      // Until every member has joined the meta group, a stream of 3 replicas cannot be placed.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> createStream(jsm));
      JetStream js = nc.jetStream();
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger failedAttempts = new AtomicInteger();
      AtomicBoolean publishing = new AtomicBoolean(true);
      Thread publisher =
          Thread.ofPlatform().start(() -> publish(js, publishing, acknowledged, failedAttempts));
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 200);

      String leader = jsm.getStreamInfo(STREAM).getClusterInfo().getLeader();
      int killed = Integer.parseInt(leader.substring("lattice-".length())) - 1;
      cluster.member(killed).kill(); // SIGKILL
      int atKill = acknowledged.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= atKill + 300);
      cluster.restart(killed, STARTUP);
      int atRestart = acknowledged.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= atRestart + 100);
      publishing.set(false);
      publisher.join();

      assertThat(storedIds(jsm)).containsAll(acknowledged);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                ClusterInfo info = jsm.getStreamInfo(STREAM).getClusterInfo();
                assertThat(info.getReplicas()).hasSize(2);
                for (Replica r : info.getReplicas()) {
                  assertThat(r.isCurrent()).as("replica %s current", r.getName()).isTrue();
                  assertThat(r.getLag()).as("replica %s lag", r.getName()).isZero();
                }
              });
      assertThat(jsm.getStreamInfo(STREAM).getConfiguration().getReplicas()).isEqualTo(3);
    }
  }

  private static boolean createStream(JetStreamManagement jsm)
      throws IOException, JetStreamApiException {
    jsm.addStream(
        StreamConfiguration.builder()
            .name(STREAM)
            .subjects("cluster.test.>")
            .storageType(StorageType.File)
            .replicas(3)
            .duplicateWindow(Duration.ofMinutes(2))
            .build());
    return true;
  }

  /**
   * Publishes message after message, each under its own message id; a failed publish (no leader for
   * a moment) is retried under the same id, so the stream's duplicate window keeps it single.
   */
  private static void publish(
      JetStream js, AtomicBoolean publishing, Set<String> acknowledged, AtomicInteger failed) {
    for (int n = 0; publishing.get(); n++) {
      String id = "m-" + n;
      boolean acked = false;
      while (!acked && publishing.get()) {
        try {
          js.publish(
              "cluster.test.event",
              id.getBytes(StandardCharsets.UTF_8),
              PublishOptions.builder().messageId(id).streamTimeout(Duration.ofSeconds(2)).build());
          acknowledged.add(id);
          acked = true;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
          failed.incrementAndGet();
          backOff();
        }
      }
    }
  }

  /** A client's pause between attempts while the cluster elects a new stream leader. */
  private static void backOff() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Set<String> storedIds(JetStreamManagement jsm) throws Exception {
    StreamInfo info = jsm.getStreamInfo(STREAM);
    Set<String> ids = new HashSet<>();
    List<String> duplicates = new java.util.ArrayList<>();
    for (long seq = info.getStreamState().getFirstSequence();
        seq <= info.getStreamState().getLastSequence();
        seq++) {
      MessageInfo m = jsm.getMessage(STREAM, seq);
      String id = new String(m.getData(), StandardCharsets.UTF_8);
      if (!ids.add(id)) {
        duplicates.add(id);
      }
    }
    assertThat(duplicates).as("messages stored twice").isEmpty();
    return ids;
  }
}
