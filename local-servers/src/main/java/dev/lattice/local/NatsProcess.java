package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One {@code nats-server} process under its {@link Watchdog}: the directories it needs (a work
 * directory for its configuration and pid file, deleted by {@link #cleanUp()}, the JetStream store
 * and the log), launching it with a configuration, signalling it and waiting for its exit.
 *
 * <p>Not thread-safe: {@link NatsServer} calls it under its own lock.
 */
final class NatsProcess {
  private final NatsBinary binary;
  private final Path workDir;
  private final Path storeDir;
  private final Path logFile;
  private Process wrapper;

  /**
   * Creates the directories.
   *
   * @param storeDir a persistent store directory, or null for one in the work directory
   * @param logFile the log, or null: {@code nats.log} beside a persistent store directory, else in
   *     the work directory
   */
  NatsProcess(NatsBinary binary, Path storeDir, Path logFile) {
    this.binary = binary;
    try {
      workDir = Files.createTempDirectory("lattice-nats-");
      this.storeDir =
          storeDir != null
              ? Files.createDirectories(storeDir.toAbsolutePath())
              : Files.createDirectory(workDir.resolve("jetstream"));
      this.logFile =
          logFile != null
              ? logFile
              : storeDir != null
                  ? this.storeDir.getParent().resolve("nats.log")
                  : workDir.resolve("nats.log");
      if (this.logFile.getParent() != null) {
        Files.createDirectories(this.logFile.getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare nats-server directories", e);
    }
  }

  /** Where the server writes its pid; named in its configuration. */
  Path pidFile() {
    return workDir.resolve("nats.pid");
  }

  Path storeDir() {
    return storeDir;
  }

  Path logFile() {
    return logFile;
  }

  /** Writes {@code config} and starts the server with it, without waiting for readiness. */
  void launch(String config) {
    Path configFile = workDir.resolve("nats.conf");
    try {
      Files.writeString(configFile, config, StandardCharsets.UTF_8);
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    List<String> command =
        Watchdog.wrap(
            List.of(binary.path().toString(), "-c", configFile.toString()),
            pidFile(),
            "nats-server",
            List.of("TERM"),
            workDir);
    try {
      wrapper =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new ServerStartException("cannot start " + binary.path() + ": " + e.getMessage(), e);
    }
  }

  /** True while the server (its watchdog wrapper) runs. */
  boolean isAlive() {
    return wrapper != null && wrapper.isAlive();
  }

  /** The server's process id, or -1 when it does not run. */
  long pid() {
    return isAlive() ? pidFromFile() : -1;
  }

  /**
   * Sends {@code signal} to the server and waits for its exit; SIGKILL after 15 s. Does nothing if
   * it was never launched or has been shut down.
   */
  void shutDown(String signal) {
    if (wrapper == null) {
      return;
    }
    if (wrapper.isAlive()) {
      long pid = pidFromFile();
      if (pid > 0 && Processes.isAlive(pid)) {
        Processes.signal(pid, signal);
      } else {
        wrapper.descendants().forEach(ProcessHandle::destroy);
      }
      if (!Processes.awaitExit(wrapper, Duration.ofSeconds(15))) {
        wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
        wrapper.destroyForcibly();
        Processes.awaitExit(wrapper, Duration.ofSeconds(10));
      }
    }
    wrapper = null;
  }

  /** Deletes the work directory (and a temporary store within it). */
  void cleanUp() {
    Processes.deleteRecursively(workDir);
  }

  private long pidFromFile() {
    String first = Processes.readFirstLine(pidFile());
    try {
      return first.isEmpty() ? -1 : Long.parseLong(first);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
