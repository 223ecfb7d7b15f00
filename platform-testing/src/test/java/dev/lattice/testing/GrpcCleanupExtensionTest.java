package dev.lattice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

class GrpcCleanupExtensionTest {
  static final List<Server> servers = new ArrayList<>();
  static final List<ManagedChannel> channels = new ArrayList<>();
  static final List<Boolean> classServerAliveDuringTests = new ArrayList<>();
  static Server classServer;

  @AfterEach
  void clear() {
    servers.clear();
    channels.clear();
    classServerAliveDuringTests.clear();
  }

  @Test
  void afterEachTest_registeredServersAndChannelsAreTerminated() {
    var results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Sample.class)).execute();

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(servers).hasSize(2).allSatisfy(s -> assertThat(s.isTerminated()).isTrue());
    assertThat(channels).hasSize(2).allSatisfy(c -> assertThat(c.isTerminated()).isTrue());
  }

  @Test
  void registeredInBeforeAll_livesThroughTheClass_thenIsTerminated() {
    var results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Sample.class)).execute();

    results.testEvents().assertStatistics(stats -> stats.succeeded(2));
    assertThat(classServerAliveDuringTests).containsExactly(true, true);
    assertThat(classServer.isTerminated()).isTrue();
  }

  /** Run only through the test kit (Surefire skips nested classes). */
  static class Sample {
    @RegisterExtension static final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

    @BeforeAll
    static void startClassServer() throws IOException {
      classServer =
          grpc.register(
              InProcessServerBuilder.forName("class-level").directExecutor().build().start());
    }

    @Test
    void first() throws IOException {
      use("first");
    }

    @Test
    void second() throws IOException {
      use("second");
    }

    private static void use(String name) throws IOException {
      classServerAliveDuringTests.add(!classServer.isShutdown());
      servers.add(
          grpc.register(InProcessServerBuilder.forName(name).directExecutor().build().start()));
      channels.add(grpc.register(InProcessChannelBuilder.forName(name).directExecutor().build()));
      assertThat(servers.getLast().isShutdown()).isFalse();
    }
  }
}
