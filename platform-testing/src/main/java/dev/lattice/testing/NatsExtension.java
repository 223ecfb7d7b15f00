package dev.lattice.testing;

import dev.lattice.local.NatsServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway nats-server with JetStream per test JVM, started on first use and stopped when the
 * JVM exits. Tests share it, so each should use stream and subject names of its own. A test that
 * stops or restarts the server (an outage test) starts its own {@link NatsServer} instead.
 *
 * <pre>{@code
 * @RegisterExtension static final NatsExtension nats = new NatsExtension();
 * ... Nats.connect(nats.url()) ...
 * }</pre>
 */
public final class NatsExtension implements BeforeAllCallback, BeforeEachCallback {
  private static NatsServer shared;

  /** The server shared by every test in this JVM; started on first use. */
  public static synchronized NatsServer sharedServer() {
    if (shared == null || !shared.isRunning()) {
      if (shared != null) {
        shared.close();
      }
      shared = NatsServer.start();
    }
    return shared;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    sharedServer();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    sharedServer();
  }

  /** The shared server. */
  public NatsServer server() {
    return sharedServer();
  }

  /** {@code nats://127.0.0.1:<port>} of the shared server. */
  public String url() {
    return sharedServer().url();
  }
}
