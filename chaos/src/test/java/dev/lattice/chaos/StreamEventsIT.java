package dev.lattice.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.local.NatsCluster;
import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chaos check's reading of the streams against a real three-node cluster with three-replica
 * streams, as the chaos mesh runs them: every message's event id counted once, and the leader read
 * that takes over when the ordered consumer stalls on a server's copy.
 */
class StreamEventsIT {

  private static NatsCluster cluster;
  private static Connection nats;

  @BeforeAll
  static void start() throws Exception {
    cluster = NatsCluster.start();
    nats = Nats.connect(cluster.urls());
    JetStreamManagement jsm = nats.jetStreamManagement();
    JetStream js = nats.jetStream();
    for (String service : StreamEvents.SERVICES) {
      jsm.addStream(
          StreamConfiguration.builder()
              .name(EventSubjects.streamName(service))
              .subjects(EventSubjects.streamSubjects(service))
              .storageType(StorageType.File)
              .replicas(3)
              .build());
      for (int i = 1; i <= 5; i++) {
        js.publish(
            EventSubjects.subject(service, "thing_happened"),
            "{}".getBytes(StandardCharsets.UTF_8),
            PublishOptions.builder().messageId(service + "-" + i).build());
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (nats != null) {
      nats.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void read_countsEveryEventOfEveryStreamOnce() throws Exception {
    StreamEvents.Read read = StreamEvents.read(nats);

    assertThat(read.ids()).hasSize(25).containsEntry("orders-1", 1);
    assertThat(read.ids().values()).containsOnly(1);
    assertThat(read.stalls()).isEmpty();
  }

  @Test
  void fromLeader_readsTheRangeAskedForAcrossDeletedMessages() throws Exception {
    String stream = "SCRATCH";
    nats.jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name(stream)
                .subjects("scratch.>")
                .storageType(StorageType.File)
                .replicas(3)
                .build());
    for (int i = 1; i <= 5; i++) {
      nats.jetStream()
          .publish(
              "scratch.thing",
              new byte[0],
              PublishOptions.builder().messageId("scratch-" + i).build());
    }
    nats.jetStreamManagement().deleteMessage(stream, 3);
    Map<String, Integer> ids = new HashMap<>();

    long read = StreamEvents.fromLeader(nats.jetStreamManagement(), stream, 2, 4, ids);

    assertThat(read).isEqualTo(2);
    assertThat(ids).containsOnlyKeys("scratch-2", "scratch-4");
  }

  @Test
  void stalled_namesTheLeaderAndEachReplicasLag() throws Exception {
    String description =
        StreamEvents.stalled(
            nats.jetStreamManagement(), EventSubjects.streamName("inventory"), 0, 5);

    assertThat(description)
        .startsWith("INVENTORY: ordered consumer delivered 0 of 5, then nothing for 10 s; leader ")
        .contains(" lag ")
        .endsWith("; the rest read from the leader");
  }
}
