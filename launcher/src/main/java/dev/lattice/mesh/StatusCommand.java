package dev.lattice.mesh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh status}: the health of every service of the running mesh, with the reason a service
 * gives for not serving ({@code database unreachable}, {@code NATS disconnected}, {@code
 * draining}). Exits 0 when the mesh runs and every service is SERVING, 1 otherwise.
 */
@Command(name = "status", description = "Shows the health of every service of the running mesh.")
final class StatusCommand implements Callable<Integer> {

  /** How long a service may take to answer; past it the row says DEADLINE_EXCEEDED. */
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @Option(
      names = "--root",
      description = "The project folder (holds .lattice/).",
      defaultValue = ".")
  Path root;

  @Override
  public Integer call() throws Exception {
    Optional<MeshState> state = MeshState.read(root);
    if (state.isEmpty()) {
      System.out.println(
          "The mesh is not running (no .lattice/mesh.properties); start it with ./mesh up");
      return 3;
    }
    boolean alive = ProcessHandle.of(state.get().pid()).map(ProcessHandle::isAlive).orElse(false);
    System.out.printf("mesh pid %d (%s)%n", state.get().pid(), alive ? "running" : "gone");
    // All at once: the first call of a fresh JVM pays for loading gRPC and Netty (seconds on a
    // busy machine), which a deadline per service, one after the other, charged to the first ones.
    Map<String, Future<HealthProbe.Health>> answers = new LinkedHashMap<>();
    try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
      state
          .get()
          .ports()
          .forEach(
              (name, port) ->
                  answers.put(name, probes.submit(() -> HealthProbe.check(port, DEADLINE))));
    }
    int notServing = 0;
    System.out.printf("  %-15s %-6s %-11s %s%n", "service", "port", "health", "reason");
    for (var entry : answers.entrySet()) {
      HealthProbe.Health health = entry.getValue().get();
      if (!health.serving()) {
        notServing++;
      }
      System.out.printf(
          "  %-15s %-6d %-11s %s%n",
          entry.getKey(),
          state.get().ports().get(entry.getKey()),
          health.status(),
          health.reason().orElse(""));
    }
    return notServing == 0 && alive ? 0 : 1;
  }
}
