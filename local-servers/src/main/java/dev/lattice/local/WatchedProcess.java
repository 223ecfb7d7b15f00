package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

/**
 * A server run as a child process under {@link Watchdog}, its output appended to a log file: it
 * stops with this JVM however that ends (a shutdown hook on a normal exit, the watchdog after
 * {@code kill -9}). The fixtures of Zipkin, S3Proxy and clamd are built on it.
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
final class WatchedProcess implements AutoCloseable {

  private static final Duration STOP_WAIT = Duration.ofSeconds(15);

  private final String name;
  private final Path logFile;
  private final Path workDir;
  private final Thread shutdownHook;
  private final Process wrapper;
  private boolean closed;

  private WatchedProcess(String name, Path logFile, Path workDir, Process wrapper) {
    this.name = name;
    this.logFile = logFile;
    this.workDir = workDir;
    this.wrapper = wrapper;
    this.shutdownHook = new Thread(this::close, name + "-shutdown");
  }

  /**
   * Starts {@code command} in {@code workDir} (deleted again when the process is closed).
   *
   * @param name the server's name for messages
   * @param processName the server's process name as in {@code /proc/<pid>/comm}
   * @param pidFile where the server writes its pid, if it does (the watchdog falls back on its
   *     direct child)
   * @param environment the child's whole environment, or null to inherit this JVM's
   * @throws ServerStartException if the process cannot be started
   */
  static WatchedProcess start(
      String name,
      List<String> command,
      String processName,
      Path pidFile,
      Path workDir,
      Path logFile,
      Map<String, String> environment) {
    ProcessBuilder pb =
        new ProcessBuilder(Watchdog.wrap(command, pidFile, processName, List.of("TERM"), workDir))
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    if (environment != null) {
      pb.environment().clear();
      pb.environment().putAll(environment);
    }
    Process wrapper;
    try {
      wrapper = pb.start();
    } catch (IOException e) {
      Processes.deleteRecursively(workDir);
      throw new ServerStartException(
          "cannot start " + name + " (" + command.getFirst() + "): " + e.getMessage(), e);
    }
    WatchedProcess process = new WatchedProcess(name, logFile, workDir, wrapper);
    Runtime.getRuntime().addShutdownHook(process.shutdownHook);
    return process;
  }

  /**
   * Waits until {@code ready} holds, polling every 100 ms.
   *
   * @throws ServerStartException if the server exits first or {@code timeout} passes; the message
   *     ends with the log's last lines
   */
  void awaitReady(Duration timeout, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!isRunning()) {
        throw new ServerStartException(
            name + " exited during start-up" + Processes.tail(logFile, 30));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(100), name);
    }
    throw new ServerStartException(
        name + " was not ready within " + timeout + Processes.tail(logFile, 30));
  }

  /**
   * Whether {@code uri} answers a GET with a status {@code accepted} takes; false while nothing
   * listens yet.
   *
   * @throws ServerStartException if interrupted
   */
  static boolean answersHttp(HttpClient http, URI uri, IntPredicate accepted, String server) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return accepted.test(response.statusCode());
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while waiting for " + server, e);
    }
  }

  /** True while the server (its watchdog wrapper) runs. */
  synchronized boolean isRunning() {
    return !closed && wrapper.isAlive();
  }

  /** Stops the server (SIGTERM, SIGKILL after 15 s), waits for it, deletes its work directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (wrapper.isAlive()) {
        // The wrapper's children: the server and the watchdog's loop; both end on SIGTERM.
        wrapper.descendants().forEach(ProcessHandle::destroy);
        if (!Processes.awaitExit(wrapper, STOP_WAIT)) {
          wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
          wrapper.destroyForcibly();
          Processes.awaitExit(wrapper, Duration.ofSeconds(10));
        }
      }
    } finally {
      Processes.deleteRecursively(workDir);
      if (Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
          // The JVM is already shutting down; the hook is running or has run.
        }
      }
    }
  }
}
