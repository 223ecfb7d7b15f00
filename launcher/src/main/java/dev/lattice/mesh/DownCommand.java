package dev.lattice.mesh;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh down}: sends SIGTERM to the mesh that {@code ./mesh up} started and waits while it
 * drains in-flight calls and stops its services, NATS and PostgreSQL.
 */
@Command(name = "down", description = "Drains and stops the running mesh.")
final class DownCommand implements Callable<Integer> {

  @Option(
      names = "--root",
      description = "The project folder (holds .lattice/).",
      defaultValue = ".")
  Path root;

  @Option(
      names = "--wait",
      description = "Seconds to wait for the drain (default: ${DEFAULT-VALUE}).",
      defaultValue = "90")
  int waitSeconds;

  @Override
  public Integer call() throws Exception {
    Optional<MeshState> state = MeshState.read(root);
    if (state.isEmpty()) {
      System.out.println("The mesh is not running.");
      return 0;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(state.get().pid());
    if (process.isEmpty() || !process.get().isAlive()) {
      MeshState.delete(root);
      System.out.println("The mesh was not running (stale state removed).");
      return 0;
    }
    System.out.printf(
        "Stopping the mesh (pid %d): draining in-flight calls...%n", state.get().pid());
    process.get().destroy(); // SIGTERM: the mesh's shutdown hook drains and stops in order
    try {
      process.get().onExit().get(waitSeconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.printf(
          "The mesh did not stop within %d s; it is still running (pid %d).%n",
          waitSeconds, state.get().pid());
      return 1;
    }
    System.out.println("Stopped.");
    return 0;
  }
}
