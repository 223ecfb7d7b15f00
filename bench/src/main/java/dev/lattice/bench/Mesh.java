package dev.lattice.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system under test: the mesh as {@code ./mesh up} runs it (six services in one JVM, the edge,
 * the card sandbox, the mail catcher, its own PostgreSQL and nats-server with fsync on every
 * write), started as a child process from the launcher's jar, so the driver's CPU and heap are
 * never the mesh's. The mesh's JVM runs with the heap ceiling of the memory target and writes a GC
 * log the driver reads afterwards. The chaos driver ({@code chaos/}) starts it the same way, with
 * {@code up}'s options for separate processes and replicas and its own PostgreSQL and NATS.
 */
public final class Mesh implements AutoCloseable {

  private final Process process;
  private final Path root;
  private final Path jar;
  private final Properties ports;
  private final Properties secrets;
  private final int portOffset;

  private Mesh(
      Process process, Path root, Path jar, Properties ports, Properties secrets, int portOffset) {
    this.process = process;
    this.root = root;
    this.jar = jar;
    this.ports = ports;
    this.secrets = secrets;
    this.portOffset = portOffset;
  }

  /** The edge's rate limit in the benchmark's mesh: far above what two cores can serve. */
  static final int EDGE_RATE_LIMIT = 1_000_000;

  /** Each service's per-caller rate limit in the benchmark's mesh: as far above. */
  static final int CALLER_RATE_LIMIT = 1_000_000;

  /**
   * Starts {@code lattice-mesh.jar up} in {@code root} (a fresh folder: fresh databases and
   * streams) and waits until every service is SERVING and the edge listens.
   */
  static Mesh start(Path jar, Path root, int portOffset, int heapMiB, List<String> extraJvmFlags)
      throws IOException, InterruptedException {
    // The benchmark measures capacity, where the bound on orders waiting for their saga (decision
    // 0021) is a latency policy; and its CreateOrder rows run with every consumer paused, when
    // every order waits. The chaos run keeps the bound.
    return start(
        jar,
        root,
        portOffset,
        heapMiB,
        extraJvmFlags,
        List.of(),
        Map.of("LATTICE_ORDERS_MAX_OPEN_SAGAS", "0"),
        Duration.ofMinutes(3));
  }

  /**
   * As {@link #start(Path, Path, int, int, List)}, with more options of {@code up} (such as {@code
   * --processes}), more environment (such as {@code LATTICE_DB_URL}) and a start deadline of its
   * own.
   */
  public static Mesh start(
      Path jar,
      Path root,
      int portOffset,
      int heapMiB,
      List<String> extraJvmFlags,
      List<String> upOptions,
      Map<String, String> environment,
      Duration startTimeout)
      throws IOException, InterruptedException {
    Files.createDirectories(root.resolve(".lattice"));
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + heapMiB + "m");
    command.add("-Xms" + heapMiB + "m");
    command.add("-Xlog:gc:file=" + root.resolve("gc.log"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Dlattice.logDir=" + root.resolve(".lattice/logs"));
    command.add("-Dlogback.configurationFile=lattice-mesh-logback.xml");
    command.addAll(extraJvmFlags);
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "up",
            "--root",
            root.toString(),
            "--port-offset",
            Integer.toString(portOffset)));
    command.addAll(upOptions);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("mesh.out").toFile());
    // The edge's admission limit (500 requests/s by default, a policy, not a capacity) would cap
    // the JSON rows and answer 429 where the edge's own cost is to be measured.
    builder.environment().put("LATTICE_EDGE_RATE_LIMIT", Integer.toString(EDGE_RATE_LIMIT));
    // Likewise each service's per-caller limit (200 calls/s by default, decision 0019): the
    // benchmark's customers would meet the policy long before the mesh's capacity. The limit stays
    // on, so its cost (a lease statement when a caller's lease of 20 calls is spent or a minute
    // old) is in every figure.
    builder.environment().put("LATTICE_RATE_LIMIT_PER_SECOND", Integer.toString(CALLER_RATE_LIMIT));
    builder.environment().putAll(environment);
    Process process = builder.start();
    // A driver stopped by a signal (Ctrl-C, kill) skips close(): the mesh then drains and stops
    // as on Ctrl-C instead of running on without it.
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("bench-mesh-stop")
                .unstarted(
                    () -> {
                      if (process.isAlive()) {
                        process.destroy();
                        try {
                          process.waitFor(1, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }
                    }));
    Path state = root.resolve(".lattice").resolve("mesh.properties");
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (!Files.exists(state)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the mesh stopped while starting; its output: " + root.resolve("mesh.out"));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("the mesh did not start within " + startTimeout);
      }
      Thread.sleep(200);
    }
    return new Mesh(
        process,
        root,
        jar,
        load(state),
        load(root.resolve(".lattice").resolve("secrets.properties")),
        portOffset);
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return p;
  }

  public long pid() {
    return process.pid();
  }

  public int port(String service) {
    return Integer.parseInt(ports.getProperty("port." + service));
  }

  public int edgePort() {
    return port("edge");
  }

  /** The mesh's nats-server (the launcher's default port plus the offset). */
  String natsUrl() {
    return "nats://127.0.0.1:" + (54222 + portOffset);
  }

  /** The mesh's PostgreSQL port (the launcher's default plus the offset). */
  int postgresPort() {
    return 55432 + portOffset;
  }

  public String adminEmail() {
    return secrets.getProperty("admin.email");
  }

  public String adminPassword() {
    return secrets.getProperty("admin.password");
  }

  /** The key the mesh's card processor sandbox takes (and payments presents). */
  public String providerApiKey() {
    return secrets.getProperty("payments.provider.api_key");
  }

  /** Where the mail catcher writes each message as an {@code .eml} file. */
  Path mailDir() {
    return root.resolve(".lattice").resolve("mail");
  }

  /** What the mesh's GC log says: full collections and the largest heap in use after a GC. */
  record GcSummary(int fullCollections, int collections, long maxHeapAfterGcMiB) {}

  private static final Pattern PAUSE =
      Pattern.compile("Pause (\\w+).*?(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  GcSummary gc() throws IOException {
    int full = 0;
    int all = 0;
    long maxAfter = 0;
    for (String line : Files.readAllLines(root.resolve("gc.log"))) {
      Matcher m = PAUSE.matcher(line);
      if (m.find()) {
        all++;
        if (m.group(1).equals("Full")) {
          full++;
        }
        maxAfter = Math.max(maxAfter, Long.parseLong(m.group(3)));
      }
    }
    return new GcSummary(full, all, maxAfter);
  }

  /** The folder the mesh runs in (its {@code .lattice/} holds logs, secrets and state). */
  public Path root() {
    return root;
  }

  /** {@code ./mesh down}: drains and stops everything the mesh started. */
  @Override
  public void close() throws IOException, InterruptedException {
    long started = System.nanoTime();
    Process down =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "down",
                "--root",
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("mesh-down.out").toFile())
            .start();
    if (!down.waitFor(2, TimeUnit.MINUTES) || !process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      System.out.println("bench: ./mesh down did not stop the mesh; killed");
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "bench: ./mesh down stopped the mesh in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
  }

  /** The settings the mesh ran with, for the results file. */
  Map<String, String> describe() {
    return Map.of(
        "root",
        root.toString(),
        "jar",
        jar.toString(),
        "pid",
        Long.toString(pid()),
        "edge rate limit",
        EDGE_RATE_LIMIT + "/s (LATTICE_EDGE_RATE_LIMIT)");
  }
}
