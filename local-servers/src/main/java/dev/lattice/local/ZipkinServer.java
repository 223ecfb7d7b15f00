package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Zipkin's server — the trace UI, its query API and the span intake ({@code POST /api/v2/spans}) —
 * as a child JVM on 127.0.0.1 with in-memory storage, for {@code ./mesh up --traces} and the tests.
 * It runs the executable jar the caller names (Maven's {@code io.zipkin:zipkin-server:exec}), on
 * the JVM this one runs on.
 *
 * <p><b>Storage.</b> In memory, at most {@value #MAX_SPANS} spans (Zipkin drops the oldest traces
 * beyond), in a heap of {@value #HEAP}: what a person looks at while trying the mesh, gone when it
 * stops.
 *
 * <p><b>Start-up.</b> {@link #launch} returns at once (Zipkin takes several seconds to start, which
 * the caller may spend starting other servers); {@link #awaitReady} waits until {@code /health}
 * answers 200. {@link #start} does both.
 *
 * <p><b>Nothing left behind.</b> The JVM runs under the same {@link Watchdog} as nats-server, so it
 * stops once this JVM is gone, even after {@code kill -9}; a shutdown hook stops it on a normal JVM
 * exit. Zipkin writes no pid file, so the watchdog signals its direct child, which is Zipkin's JVM.
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
public final class ZipkinServer implements AutoCloseable {

  /** Zipkin's own default port; {@code ./mesh up} adds its port offset. */
  public static final int DEFAULT_PORT = 9411;

  private static final String HOST = "127.0.0.1";
  private static final int MAX_SPANS = 100_000;
  private static final String HEAP = "384m";
  private static final Duration STOP_WAIT = Duration.ofSeconds(15);

  /**
   * How to start the server.
   *
   * @param jar Zipkin's executable server jar
   * @param port the port of the UI, the API and the intake; 0 for a free one
   * @param logFile where its output goes
   * @param startupTimeout how long {@link #awaitReady} waits for {@code /health}
   */
  public record Options(Path jar, int port, Path logFile, Duration startupTimeout) {
    public Options {
      Objects.requireNonNull(jar, "jar");
      Objects.requireNonNull(logFile, "logFile");
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }
  }

  private final Options options;
  private final int port;
  private final Path workDir;
  private final Thread shutdownHook = new Thread(this::close, "zipkin-shutdown");
  private Process wrapper;
  private boolean closed;

  private ZipkinServer(Options options, int port, Path workDir) {
    this.options = options;
    this.port = port;
    this.workDir = workDir;
  }

  /**
   * Starts Zipkin's JVM and returns without waiting for it.
   *
   * @throws ServerStartException if the jar is missing or the JVM cannot be started
   */
  public static ZipkinServer launch(Options options) {
    Objects.requireNonNull(options, "options");
    if (!Files.isRegularFile(options.jar())) {
      throw new ServerStartException("no Zipkin server jar at " + options.jar());
    }
    Path workDir;
    try {
      workDir = Files.createTempDirectory("lattice-zipkin-");
      if (options.logFile().getParent() != null) {
        Files.createDirectories(options.logFile().getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Zipkin's directories", e);
    }
    ZipkinServer server =
        new ZipkinServer(options, options.port() == 0 ? FreePorts.next() : options.port(), workDir);
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.spawn();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** {@link #launch} and {@link #awaitReady}; stops the server again if it does not come up. */
  public static ZipkinServer start(Options options) {
    ZipkinServer server = launch(options);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private synchronized void spawn() {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + HEAP));
    // Zipkin in memory for one person: the C1 compiler alone starts it about 40 % sooner.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 24) {
      // Netty and Armeria inside still call sun.misc.Unsafe; keep the log readable.
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of(
            "-jar",
            options.jar().toAbsolutePath().toString(),
            "--armeria.ports[0].ip=" + HOST,
            "--armeria.ports[0].port=" + port));
    ProcessBuilder pb =
        new ProcessBuilder(
                Watchdog.wrap(
                    command, workDir.resolve("zipkin.pid"), "java", List.of("TERM"), workDir))
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()));
    // Zipkin reads its settings from the environment (STORAGE_TYPE, QUERY_PORT, ...): give it only
    // its own, so that a variable meant for something else cannot change where it stores spans.
    pb.environment().clear();
    pb.environment().put("STORAGE_TYPE", "mem");
    pb.environment().put("MEM_MAX_SPANS", Integer.toString(MAX_SPANS));
    try {
      wrapper = pb.start();
    } catch (IOException e) {
      throw new ServerStartException("cannot start Zipkin with " + java + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until {@code /health} answers 200.
   *
   * @throws ServerStartException if Zipkin exits or is not ready within the startup timeout; the
   *     message ends with the log's last lines
   */
  public void awaitReady() {
    long deadline = System.nanoTime() + options.startupTimeout().toNanos();
    URI health = URI.create(baseUrl() + "/health");
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build()) {
      while (System.nanoTime() < deadline) {
        if (!isRunning()) {
          throw new ServerStartException(
              "Zipkin exited during start-up" + Processes.tail(options.logFile(), 30));
        }
        if (answers(http, health)) {
          return;
        }
        Processes.sleepWhileWaiting(Duration.ofMillis(100), "Zipkin");
      }
    }
    throw new ServerStartException(
        "Zipkin did not answer on port "
            + port
            + " within "
            + options.startupTimeout()
            + Processes.tail(options.logFile(), 30));
  }

  private static boolean answers(HttpClient http, URI health) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while waiting for Zipkin", e);
    }
  }

  /** The port of the UI, the API and the span intake. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}: the API lives under {@code /api/v2}. */
  public String baseUrl() {
    return "http://" + HOST + ":" + port;
  }

  /** Where spans are posted, for {@code OTEL_EXPORTER_ZIPKIN_ENDPOINT}. */
  public String spansEndpoint() {
    return baseUrl() + "/api/v2/spans";
  }

  /** The UI. */
  public String uiUrl() {
    return baseUrl() + "/zipkin/";
  }

  /** Zipkin's output. */
  public Path logFile() {
    return options.logFile();
  }

  /** True while Zipkin's JVM (its watchdog wrapper) runs. */
  public synchronized boolean isRunning() {
    return wrapper != null && wrapper.isAlive();
  }

  /** Stops Zipkin (SIGTERM, SIGKILL after 15 s) and waits for it. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
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

  private void stop() {
    if (wrapper == null || !wrapper.isAlive()) {
      return;
    }
    // The wrapper's children: Zipkin's JVM and the watchdog's loop; both end on SIGTERM.
    wrapper.descendants().forEach(ProcessHandle::destroy);
    if (!Processes.awaitExit(wrapper, STOP_WAIT)) {
      wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
      wrapper.destroyForcibly();
      Processes.awaitExit(wrapper, Duration.ofSeconds(10));
    }
  }

  @Override
  public String toString() {
    return "Zipkin on " + baseUrl();
  }
}
