package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.testing.NatsExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventStreamsIT {

  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private Connection nats;
  private JetStreamManagement jsm;

  @BeforeEach
  void connect() throws Exception {
    nats = Nats.connect(natsServer.url());
    jsm = nats.jetStreamManagement();
  }

  @AfterEach
  void close() throws InterruptedException {
    nats.close();
  }

  @Test
  void ensureServiceStream_createsFileStreamWithDuplicateWindow_onceOnly() throws Exception {
    StreamInfo created = EventStreams.ensureServiceStream(jsm, "streams_a");
    StreamInfo again = EventStreams.ensureServiceStream(jsm, "streams_a");

    StreamConfiguration config = created.getConfiguration();
    assertThat(config.getName()).isEqualTo("STREAMS_A");
    assertThat(config.getSubjects()).containsExactly("lattice.streams_a.>");
    assertThat(config.getStorageType()).isEqualTo(StorageType.File);
    assertThat(config.getRetentionPolicy()).isEqualTo(RetentionPolicy.Limits);
    assertThat(config.getDuplicateWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.getReplicas()).isEqualTo(1);
    assertThat(config.getMaxAge()).isEqualTo(Duration.ofDays(7));
    // Unchanged: no update was made, so the stream is the same one, created once.
    assertThat(again.getCreateTime()).isEqualTo(created.getCreateTime());
  }

  @Test
  void ensureServiceStream_changedSettings_updatesInPlaceKeepingMessages() throws Exception {
    EventStreams.ensureServiceStream(jsm, "streams_b");
    nats.jetStream().publish("lattice.streams_b.x", new byte[] {1});

    StreamInfo updated =
        EventStreams.ensureServiceStream(
            jsm,
            "streams_b",
            StreamSettings.defaults().withDuplicateWindow(Duration.ofSeconds(30)));

    assertThat(updated.getConfiguration().getDuplicateWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jsm.getStreamInfo("STREAMS_B").getStreamState().getMsgCount()).isEqualTo(1);
  }

  @Test
  void ensureStream_existingMemoryStream_isRefusedNotReplaced() throws Exception {
    jsm.addStream(
        StreamConfiguration.builder()
            .name("STREAMS_C")
            .subjects("lattice.streams_c.>")
            .storageType(StorageType.Memory)
            .build());

    assertThatThrownBy(() -> EventStreams.ensureServiceStream(jsm, "streams_c"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContainingAll("STREAMS_C", "memory");
    assertThat(jsm.getStreamInfo("STREAMS_C").getConfiguration().getStorageType())
        .isEqualTo(StorageType.Memory);
  }

  @Test
  void ensureStream_concurrentProvisioning_bothSucceed() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    for (int i = 0; i < 4; i++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (Connection own = Nats.connect(natsServer.url())) {
                      EventStreams.ensureServiceStream(own.jetStreamManagement(), "streams_d");
                    } catch (Exception e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(jsm.getStreamNames()).contains("STREAMS_D");
  }
}
