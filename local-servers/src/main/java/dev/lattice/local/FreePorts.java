package dev.lattice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
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

  /**
   * The ports this process handed out lately, never handed out again while they are listed: a test
   * that picks the ports of several servers before starting them (a fleet of six services) got the
   * same port twice once in a while, free both times it was asked, and its second server could not
   * bind (SagaCrashIT: orders on 31743, then audit on 31743).
   */
  private static final Set<Integer> ISSUED = new LinkedHashSet<>();

  /** How many recent ports {@link #ISSUED} holds: far fewer than the range, more than any test. */
  static final int REMEMBERED = 2_048;

  /**
   * Returns a TCP port on 127.0.0.1 that nothing listens on at the moment of the call and that this
   * process has not handed out among its last {@value #REMEMBERED} ports.
   */
  public static int next() {
    int highest = ephemeralLow() - 1;
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
      if (!issue(port)) {
        continue;
      }
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

  /** Records {@code port} as handed out; false if it was among the recent ones already. */
  private static boolean issue(int port) {
    synchronized (ISSUED) {
      if (!ISSUED.add(port)) {
        return false;
      }
      if (ISSUED.size() > REMEMBERED) {
        Iterator<Integer> oldest = ISSUED.iterator();
        oldest.next();
        oldest.remove();
      }
      return true;
    }
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
