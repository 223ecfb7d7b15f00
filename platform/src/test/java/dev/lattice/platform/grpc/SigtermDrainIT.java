package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.SlowResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGTERM to a real service process drains it: the in-flight call completes, then exit 0. */
class SigtermDrainIT {

  private static final long DRAIN_TIMEOUT_MS = 10_000;

  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void killProcess() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigterm_inFlightCallCompletes_processExitsZero_thenConnectionsAreRefused() throws Exception {
    int port = startServerProcess();
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    try {
      var inFlight =
          EchoServiceGrpc.newFutureStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .slow(SlowRequest.newBuilder().setSleepMs(3000).build());
      awaitLine("SLOW_STARTED");

      long signalled = System.nanoTime();
      process.toHandle().destroy(); // SIGTERM on Linux

      SlowResponse response = inFlight.get(20, TimeUnit.SECONDS);
      assertThat(response.getSleptMs()).isGreaterThanOrEqualTo(3000);
      assertThat(process.waitFor(DRAIN_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS))
          .as("process exits within the drain timeout; output: %s", output)
          .isTrue();
      long exitedAfterMs = (System.nanoTime() - signalled) / 1_000_000;
      assertThat(process.exitValue()).as("exit status; output: %s", output).isZero();
      assertThat(exitedAfterMs).isLessThan(DRAIN_TIMEOUT_MS);
      assertThat(output).contains("DRAINED");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    ManagedChannel fresh =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    try {
      StatusRuntimeException refused =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  EchoServiceGrpc.newBlockingStub(fresh)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .slow(SlowRequest.newBuilder().setSleepMs(1).build()));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      fresh.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int startServerProcess() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DrainTestServerMain.class.getName(),
                Long.toString(DRAIN_TIMEOUT_MS))
            .redirectErrorStream(true)
            .start();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  output.add(line);
                  lines.add(line);
                }
              } catch (Exception e) {
                // The process is gone; the assertions report what it printed.
              }
            });
    String portLine = awaitLine("PORT=");
    return Integer.parseInt(portLine.substring("PORT=".length()));
  }

  private String awaitLine(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line == null && !process.isAlive()) {
        break;
      }
    }
    throw new AssertionError("no line starting with " + prefix + "; output: " + output);
  }
}
