package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ./mesh up --processes}: one JVM per service, each with up's {@code --service-jvm-option}s,
 * all SERVING, all gone after SIGTERM.
 */
class MeshProcessesIT {

  private static final List<Integer> SERVICE_PORTS = List.of(9101, 9102, 9103, 9104, 9105, 9106);

  @Test
  void processesMode_everyServiceServesFromItsOwnJvm_andSigtermStopsThemAll() throws Exception {
    Path root =
        Files.createDirectories(
            Path.of("target", "mesh-processes-it-" + ProcessHandle.current().pid())
                .toAbsolutePath());
    try (MeshProcess mesh =
        MeshProcess.start(root, "--processes", "--service-jvm-option=-XX:TieredStopAtLevel=1")) {
      assertThat(mesh.awaitUp(Duration.ofSeconds(180))).as(mesh.log()).isTrue();
      List<ProcessHandle> children =
          mesh.process
              .toHandle()
              .children()
              .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
              .toList();
      assertThat(children).as("one child JVM per service").hasSize(6);
      assertThat(children)
          .as("every service JVM has the option")
          .allMatch(
              h ->
                  h.info()
                      .arguments()
                      .map(a -> List.of(a).contains("-XX:TieredStopAtLevel=1"))
                      .orElse(false));
      for (int port : SERVICE_PORTS) {
        assertThat(HealthProbe.check(mesh.port(port), Duration.ofSeconds(5)).status())
            .isEqualTo("SERVING");
      }

      mesh.process.toHandle().destroy();
      assertThat(mesh.waitForExit(Duration.ofSeconds(120))).as(mesh.log()).isTrue();
      assertThat(children).noneMatch(ProcessHandle::isAlive);
      for (int port : SERVICE_PORTS) {
        assertThat(HealthProbe.check(mesh.port(port), Duration.ofSeconds(2)).status())
            .isEqualTo("DOWN");
      }
      assertThat(Files.readString(root.resolve(".lattice/logs/orders.log")))
          .contains("orders gRPC server stopped");
    }
  }
}
