package dev.lattice.mesh;

import dev.lattice.platform.runtime.ServiceModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM per service instance (a service, or one replica of it), each running the service's
 * own main class from the launcher's classpath (which holds all six), with its log in {@code
 * .lattice/logs/<instance>.log}. Stopping sends SIGTERM, so each service drains exactly as it would
 * under an orchestrator. Thread-safe (synchronized).
 */
final class ProcessFleet implements ServiceFleet {

  private static final long DRAIN_WAIT_SECONDS = 60;

  private final Path root;
  private final Deque<Process> children = new ArrayDeque<>();

  ProcessFleet(Path root) {
    this.root = root;
  }

  @Override
  public synchronized void start(String instance, ServiceModule module, Map<String, String> env)
      throws IOException {
    Path log = root.resolve(".lattice").resolve("logs").resolve(instance + ".log");
    Files.createDirectories(log.getParent());
    String java = ProcessHandle.current().info().command().orElse("java");
    // With -jar the class path is the launcher jar, whose manifest names every library.
    String classPath = System.getProperty("java.class.path");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            classPath,
            module.getClass().getName());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    children.push(pb.start());
  }

  @Override
  public synchronized void close() {
    children.forEach(Process::destroy); // SIGTERM to all: they drain in parallel
    while (!children.isEmpty()) {
      Process p = children.pop();
      try {
        if (!p.waitFor(DRAIN_WAIT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
