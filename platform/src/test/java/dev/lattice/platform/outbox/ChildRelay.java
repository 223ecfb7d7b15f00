package dev.lattice.platform.outbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link RelayChildMain} in a child JVM on this test's class path; its output goes to a temporary
 * file.
 */
final class ChildRelay implements AutoCloseable {

  private final Process process;
  private final Path log;

  private ChildRelay(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts a child; {@code args} as {@link RelayChildMain} takes them. */
  static ChildRelay start(String... args) throws IOException {
    Path log = Files.createTempFile("relay-child-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Short-lived processes: quick start-up matters more than peak speed.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RelayChildMain.class.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildRelay(process, log);
  }

  /**
   * Waits until the child has connected and warmed up, then lets it start its relay.
   *
   * @throws AssertionError with the child's log if it is not ready within {@code timeout}
   */
  void go(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!log().contains(RelayChildMain.READY)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "relay child not ready (alive: " + process.isAlive() + "):\n" + log());
      }
      Thread.sleep(20);
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write("go\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Waits for the exit and returns its status; fails with the log if it takes longer. */
  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("relay child did not exit within " + timeout + ":\n" + log());
    }
    return process.exitValue();
  }

  /** SIGKILL, and wait for the exit. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    kill();
    Files.deleteIfExists(log);
  }
}
