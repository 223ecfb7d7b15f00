package dev.lattice.mesh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A real {@code ./mesh up} in a separate JVM, started from the packaged launcher jar with its own
 * state folder and a port offset at which every port it needs is free.
 *
 * <p>It runs as a terminal would run it: in a process group of its own (so {@link #interrupt()} can
 * press Ctrl-C, a SIGINT to the whole group, without hitting this JVM) and with SIGINT at its
 * default disposition (a background process of a non-interactive shell, as under CI, would
 * otherwise inherit SIGINT ignored).
 */
final class MeshProcess implements AutoCloseable {

  static final int[] BASE_PORTS = {
    8080, 9101, 9102, 9103, 9104, 9105, 9106, 9112, 9113, 9114, 9201, 9204, 9210, 9225, 9411, 55432,
    54222, 54223, 54224
  };

  /** Chromium's blocked ports above 9000 (net/base/port_util.cc), the range our offsets reach. */
  private static final java.util.Set<Integer> BROWSER_UNSAFE_PORTS = java.util.Set.of(10080);

  /** The launcher's packaged jar, as ./mesh runs it (these tests run in e2e/, beside launcher/). */
  static final Path JAR =
      Path.of("..", "launcher", "target", "lattice-mesh.jar").toAbsolutePath().normalize();

  final Process process;
  final int portOffset;
  final Path root;
  final List<String> output = new CopyOnWriteArrayList<>();
  private final CountDownLatch up = new CountDownLatch(1);
  private volatile boolean sawUp;
  private final Thread reader;

  private MeshProcess(Process process, int portOffset, Path root) {
    this.process = process;
    this.portOffset = portOffset;
    this.root = root;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.add(line);
                  if (line.startsWith("Lattice is up")) {
                    sawUp = true;
                    up.countDown();
                  }
                }
              } catch (IOException e) {
                output.add("<output closed: " + e.getMessage() + ">");
              } finally {
                up.countDown(); // the process ended: stop waiting for it to come up
              }
            },
            "mesh-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * {@code java -jar} the launcher's jar with {@code args} (a command such as {@code status}), C1
   * only and {@code jvmFlags} before the jar; stderr merged into stdout.
   */
  static Process runJar(List<String> jvmFlags, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  static MeshProcess start(Path root, String... extraArgs) throws IOException {
    return start(root, Map.of(), extraArgs);
  }

  /**
   * Starts {@code ./mesh up} with {@code env} added to its environment, such as {@code
   * LATTICE_DB_URL} and {@code LATTICE_NATS_URL} for servers the test owns (and may stop); without
   * them the mesh starts servers of its own.
   */
  static MeshProcess start(Path root, Map<String, String> env, String... extraArgs)
      throws IOException {
    Path jar = JAR;
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the launcher jar is not packaged: " + jar);
    }
    int offset = freeOffset();
    List<String> command =
        new ArrayList<>(
            List.of(
                "setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\""));
    command.addAll(
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            // C1 only, as the test JVMs (lattice.testJit in the parent pom): a test's mesh
            // lives for seconds to a minute, and C2 took over a third of its CPU.
            "-XX:TieredStopAtLevel=1",
            "-Dlattice.logDir=" + root.resolve(".lattice/logs"),
            "-Dlogback.configurationFile=lattice-mesh-logback.xml",
            "-jar",
            jar.toString(),
            "up",
            "--root",
            root.toString(),
            "--port-offset",
            Integer.toString(offset)));
    command.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("LATTICE_DB_URL");
    pb.environment().remove("LATTICE_NATS_URL");
    pb.environment().putAll(env);
    return new MeshProcess(pb.start(), offset, root);
  }

  /** Waits for the "Lattice is up" line; false if the process died or time ran out. */
  boolean awaitUp(Duration within) throws InterruptedException {
    return up.await(within.toMillis(), TimeUnit.MILLISECONDS) && sawUp;
  }

  /** Waits for the process to exit and for its output to be read to the end. */
  boolean waitForExit(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      return false;
    }
    reader.join(within.toMillis());
    return !reader.isAlive();
  }

  /** Ctrl-C at the mesh's terminal: SIGINT to its whole process group. */
  void interrupt() throws IOException, InterruptedException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    // Field 5 (after the parenthesised name) is the process group: setsid made it the mesh's pid.
    String group = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
    if (!group.equals(Long.toString(process.pid()))) {
      throw new IllegalStateException(
          "the mesh (pid " + process.pid() + ") is in process group " + group);
    }
    Process kill =
        new ProcessBuilder("kill", "-s", "INT", "--", "-" + process.pid()).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -s INT -- -" + process.pid() + " failed");
    }
  }

  int port(int basePort) {
    return basePort + portOffset;
  }

  String log() {
    return String.join("\n", output);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static int freeOffset() throws IOException {
    int[] ephemeral = ephemeralPorts();
    for (int attempt = 0; attempt < 200; attempt++) {
      // A multiple of 100: BenchQuickIT's and ChaosShortIT's meshes, which ./mesh test runs beside
      // these tests, sit at 50 past one, where none of their ports can be one of this mesh's.
      int offset = 100 * ThreadLocalRandom.current().nextInt(10, 101);
      // Chromium refuses to connect to a few "unsafe" ports (net::ERR_UNSAFE_PORT); of those in
      // reach, 10080 would be the edge's at offset 2000, and the browser test would fail.
      if (IntStream.of(BASE_PORTS).map(p -> p + offset).anyMatch(BROWSER_UNSAFE_PORTS::contains)) {
        continue;
      }
      // A port in the kernel's ephemeral range may be free when checked and, by the time the mesh
      // (or a restart of it, MeshLifecycleIT) binds it, be the local port of some outgoing
      // connection: PostgreSQL then exits with "Address already in use" (seen in CI at 60032).
      if (IntStream.of(BASE_PORTS)
          .map(p -> p + offset)
          .anyMatch(p -> p > 65535 || (p >= ephemeral[0] && p <= ephemeral[1]))) {
        continue;
      }
      if (IntStream.of(BASE_PORTS).allMatch(p -> isFree(p + offset))) {
        return offset;
      }
    }
    throw new IOException("no port offset with every mesh port free");
  }

  /** The kernel's range of ports for outgoing connections (Linux's default where unreadable). */
  private static int[] ephemeralPorts() {
    try {
      String[] range =
          java.nio.file.Files.readString(
                  java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
              .trim()
              .split("\\s+");
      return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32768, 60999};
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
