package dev.lattice.mesh;

import dev.lattice.platform.runtime.ServiceModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM per service instance (a service, or one replica of it), each running the service's
 * own main class from the launcher's classpath (which holds all six), with its log in {@code
 * .lattice/logs/<instance>.log}. Stopping sends SIGTERM, so each service drains exactly as it would
 * under an orchestrator.
 *
 * <p>Like an orchestrator it also keeps every instance running: one that exits while the fleet is
 * not stopping — killed, crashed, or drained on its own SIGTERM as in a rolling restart — is
 * started again with the same environment a second later (the line {@code mesh: <instance> exited
 * with <code>; starting it again} goes to its log). Thread-safe (synchronized).
 */
final class ProcessFleet implements ServiceFleet {

  private static final long DRAIN_WAIT_SECONDS = 60;
  private static final long RESTART_DELAY_MS = 1000;

  private final Path root;
  private final List<String> jvmOptions;
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private boolean stopping;

  /** A started instance: what it runs with, and its current process (guarded by the fleet). */
  private static final class Instance {
    final String name;
    final ServiceModule module;
    final Map<String, String> env;
    Process process;

    Instance(String name, ServiceModule module, Map<String, String> env) {
      this.name = name;
      this.module = module;
      this.env = Map.copyOf(env);
    }
  }

  /**
   * A fleet whose instances keep their state in {@code root} and whose JVMs start with {@code
   * jvmOptions} (up's {@code --service-jvm-option}s) before the main class.
   */
  ProcessFleet(Path root, List<String> jvmOptions) {
    this.root = root;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  @Override
  public synchronized void start(String instance, ServiceModule module, Map<String, String> env)
      throws IOException {
    Instance started = new Instance(instance, module, env);
    instances.put(instance, started);
    launch(started);
  }

  /** The process ids of the running instances, by instance name. */
  synchronized Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    instances.forEach(
        (name, i) -> {
          if (i.process != null && i.process.isAlive()) {
            pids.put(name, i.process.pid());
          }
        });
    return pids;
  }

  private void launch(Instance instance) throws IOException {
    Path log = logOf(instance.name);
    Files.createDirectories(log.getParent());
    String java = ProcessHandle.current().info().command().orElse("java");
    // With -jar the class path is the launcher jar, whose manifest names every library.
    String classPath = System.getProperty("java.class.path");
    List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, instance.module.getClass().getName()));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(instance.env);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = pb.start();
    instance.process = process;
    process.onExit().thenAccept(exited -> onExit(instance, exited));
  }

  private void onExit(Instance instance, Process exited) {
    synchronized (this) {
      if (stopping || instance.process != exited) {
        return;
      }
    }
    note(instance.name, "exited with " + exited.exitValue() + "; starting it again");
    CompletableFuture.delayedExecutor(RESTART_DELAY_MS, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              synchronized (this) {
                if (stopping || instance.process != exited) {
                  return;
                }
                try {
                  launch(instance);
                } catch (IOException e) {
                  note(instance.name, "could not be started again: " + e.getMessage());
                }
              }
            });
  }

  private void note(String instance, String what) {
    try {
      Files.writeString(
          logOf(instance),
          Instant.now() + " mesh: " + instance + " " + what + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.printf("mesh: %s %s (its log: %s)%n", instance, what, e.getMessage());
    }
  }

  private Path logOf(String instance) {
    return root.resolve(".lattice").resolve("logs").resolve(instance + ".log");
  }

  @Override
  public void close() {
    List<Process> children = new ArrayList<>();
    synchronized (this) {
      stopping = true;
      instances.values().forEach(i -> children.add(i.process));
    }
    children.reversed().forEach(Process::destroy); // SIGTERM to all: they drain in parallel
    for (Process p : children.reversed()) {
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
