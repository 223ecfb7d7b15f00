package dev.lattice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, for servers whose port must be known before they start.
 *
 * <p>The ports come from below the kernel's ephemeral range ({@code
 * /proc/sys/net/ipv4/ip_local_port_range}), never from it: a port the kernel hands out for a bind
 * to port 0 is also one it hands out as the local end of an outgoing connection, so a test that
 * opens connections to PostgreSQL and NATS could take the port between this call and the server's
 * bind ("Address already in use"). Below that range only another listener can take it, and the port
 * is picked at random so two test processes rarely try the same one. Thread-safe.
 */
public final class FreePorts {
  /** Above the mesh's own ports with any offset the launcher, tests and benchmarks use. */
  static final int LOWEST = 20_000;

  private static final int EPHEMERAL_FALLBACK = 32_768;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  /** Returns a TCP port on 127.0.0.1 that nothing listens on at the moment of the call. */
  public static int next() {
    int highest = ephemeralLow() - 1;
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return port;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UncheckedIOException(
        "no free loopback port in " + LOWEST + "-" + highest + " after " + ATTEMPTS + " tries",
        last);
  }

  /** The first port of the kernel's ephemeral range, or 32768 where it cannot be read. */
  static int ephemeralLow() {
    try {
      String[] range = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
      int low = Integer.parseInt(range[0]);
      return low > LOWEST + 1_000 ? low : EPHEMERAL_FALLBACK;
    } catch (IOException | RuntimeException e) {
      return EPHEMERAL_FALLBACK;
    }
  }
}
