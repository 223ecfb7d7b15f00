package dev.lattice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>A port is free when asked; another process may take it before the caller binds it. The servers
 * in this package therefore retry with a new port when a port they chose themselves turns out to be
 * taken. Thread-safe.
 */
public final class FreePorts {
  private FreePorts() {}

  /** Returns a TCP port on 127.0.0.1 that nothing listens on at the moment of the call. */
  public static int next() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
