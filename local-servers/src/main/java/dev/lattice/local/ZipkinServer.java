package dev.lattice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private final WatchedProcess process;

  private ZipkinServer(Options options, int port, WatchedProcess process) {
    this.options = options;
    this.port = port;
    this.process = process;
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
    int port = options.port() == 0 ? FreePorts.next() : options.port();
    return new ZipkinServer(options, port, spawn(options, port, workDir));
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

  private static WatchedProcess spawn(Options options, int port, Path workDir) {
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
    // Zipkin reads its settings from the environment (STORAGE_TYPE, QUERY_PORT, ...): give it only
    // its own, so that a variable meant for something else cannot change where it stores spans.
    return WatchedProcess.start(
        "Zipkin",
        command,
        "java",
        workDir.resolve("zipkin.pid"),
        workDir,
        options.logFile(),
        Map.of("STORAGE_TYPE", "mem", "MEM_MAX_SPANS", Integer.toString(MAX_SPANS)));
  }

  /**
   * Waits until {@code /health} answers 200.
   *
   * @throws ServerStartException if Zipkin exits or is not ready within the startup timeout; the
   *     message ends with the log's last lines
   */
  public void awaitReady() {
    URI health = URI.create(baseUrl() + "/health");
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build()) {
      process.awaitReady(
          options.startupTimeout(),
          () -> WatchedProcess.answersHttp(http, health, status -> status == 200, "Zipkin"));
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
  public boolean isRunning() {
    return process.isRunning();
  }

  /** Stops Zipkin (SIGTERM, SIGKILL after 15 s) and waits for it. Idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "Zipkin on " + baseUrl();
  }
}
