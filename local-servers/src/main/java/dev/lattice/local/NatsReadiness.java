package dev.lattice.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Whether a starting {@code nats-server} is ready: it is when a client connection gets the server's
 * {@code INFO} line and that line reports JetStream.
 *
 * <p>Stateless and thread-safe.
 */
final class NatsReadiness {
  private NatsReadiness() {}

  /**
   * Waits until the server of {@code process} on {@code host:port} is ready.
   *
   * @throws ServerStartException if it exits, runs without JetStream or is not ready within {@code
   *     timeout}; the message ends with the log's last lines
   */
  static void await(NatsProcess process, String host, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new ServerStartException(
            "nats-server exited during start-up" + Processes.tail(process.logFile(), 30));
      }
      try {
        if (answersWithJetStream(process, host, port)) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(20), "nats-server");
    }
    throw new ServerStartException(
        "nats-server did not accept clients on port "
            + port
            + " within "
            + timeout
            + (last == null ? "" : " (" + last.getMessage() + ")")
            + Processes.tail(process.logFile(), 30),
        last);
  }

  /** True when the server sent its INFO line with JetStream on; false when it sent none yet. */
  private static boolean answersWithJetStream(NatsProcess process, String host, int port)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      socket.setSoTimeout(2000);
      var reader =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String info = reader.readLine();
      if (info == null || !info.startsWith("INFO ")) {
        return false;
      }
      if (!info.replace(" ", "").contains("\"jetstream\":true")) {
        throw new ServerStartException(
            "nats-server runs without JetStream: " + info + Processes.tail(process.logFile(), 30));
      }
      return true;
    }
  }
}
