package dev.lattice.mesh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mesh status}: the health of every service of the running mesh. */
@Command(name = "status", description = "Shows the health of every service of the running mesh.")
final class StatusCommand implements Callable<Integer> {

  @Option(names = "--root", description = "The project folder (holds .lattice/).", defaultValue = ".")
  Path root;

  @Override
  public Integer call() throws Exception {
    Optional<MeshState> state = MeshState.read(root);
    if (state.isEmpty()) {
      System.out.println("The mesh is not running (no .lattice/mesh.properties); start it with ./mesh up");
      return 3;
    }
    boolean alive = ProcessHandle.of(state.get().pid()).map(ProcessHandle::isAlive).orElse(false);
    System.out.printf("mesh pid %d (%s)%n", state.get().pid(), alive ? "running" : "gone");
    int notServing = 0;
    System.out.printf("  %-15s %-6s %s%n", "service", "port", "health");
    for (var entry : state.get().ports().entrySet()) {
      String health = HealthProbe.check(entry.getValue(), Duration.ofSeconds(2));
      if (!"SERVING".equals(health)) {
        notServing++;
      }
      System.out.printf("  %-15s %-6d %s%n", entry.getKey(), entry.getValue(), health);
    }
    return notServing == 0 && alive ? 0 : 1;
  }
}
