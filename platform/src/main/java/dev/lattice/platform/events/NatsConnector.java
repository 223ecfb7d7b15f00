package dev.lattice.platform.events;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the NATS connection a service publishes and consumes events on.
 *
 * <p>The connection is configured so that it never silently holds events back:
 *
 * <ul>
 *   <li><b>No reconnect buffer</b> ({@code reconnectBufferSize(0)}). While the client is
 *       disconnected or reconnecting, jnats refuses every publish at once with an {@link
 *       IllegalStateException} ("Unable to queue any more messages during reconnect") instead of
 *       queueing it in memory. The outbox relay relies on this: the row simply stays in the outbox
 *       and is retried after the reconnect. (jnats checks {@code queued bytes + message size <
 *       reconnectBufferSize}, so 0 rejects everything; a negative value would mean unlimited.)
 *   <li><b>Reconnects forever</b> ({@code maxReconnects(-1)}), waiting {@value #RECONNECT_WAIT_MS}
 *       ms plus a random jitter of up to {@value #RECONNECT_JITTER_MS} ms between attempts to one
 *       server, so a fleet of replicas does not reconnect in lock step.
 *   <li><b>Dead peers are noticed</b>: TCP connect timeout {@value #CONNECT_TIMEOUT_MS} ms, a
 *       client ping every {@value #PING_INTERVAL_MS} ms, disconnect after {@value #MAX_PINGS_OUT}
 *       unanswered pings.
 * </ul>
 *
 * <p>Connection events (connected, disconnected, reconnected, closed, lame duck) and asynchronous
 * errors are logged through SLF4J under this class's logger; failed reconnect attempts only at
 * debug level.
 */
public final class NatsConnector {

  /** Pause before reconnecting to the same server, milliseconds (before jitter). */
  public static final long RECONNECT_WAIT_MS = 1_000;

  /** Upper bound of the random extra pause added to each reconnect wait, milliseconds. */
  public static final long RECONNECT_JITTER_MS = 1_000;

  /** TCP connect and handshake timeout, milliseconds. */
  public static final long CONNECT_TIMEOUT_MS = 5_000;

  /** Interval of client pings, milliseconds. */
  public static final long PING_INTERVAL_MS = 5_000;

  /** Unanswered pings after which the connection counts as dead. */
  public static final int MAX_PINGS_OUT = 2;

  private static final Logger log = LoggerFactory.getLogger(NatsConnector.class);

  private NatsConnector() {}

  /**
   * Connects to {@code url} and waits for the first connection.
   *
   * @param url one server URL ({@code nats://host:4222}) or several, comma-separated
   * @param connectionName shown by the server ({@code connz}), e.g. {@code orders}
   * @return a connected connection; the caller closes it
   * @throws IOException if no server could be reached at start (reconnects only apply afterwards)
   * @throws InterruptedException if interrupted while connecting
   */
  public static Connection connect(String url, String connectionName)
      throws IOException, InterruptedException {
    return Nats.connect(options(url, connectionName));
  }

  /**
   * The options {@link #connect} uses, for callers that need to add to them (credentials, TLS)
   * through {@code new Options.Builder(options)}.
   */
  public static Options options(String url, String connectionName) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(connectionName, "connectionName");
    String[] servers =
        Arrays.stream(url.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toArray(String[]::new);
    if (servers.length == 0) {
      throw new IllegalArgumentException("no NATS server URL in '" + url + "'");
    }
    return new Options.Builder()
        .servers(servers)
        .connectionName(connectionName)
        .maxReconnects(-1)
        .reconnectWait(Duration.ofMillis(RECONNECT_WAIT_MS))
        .reconnectJitter(Duration.ofMillis(RECONNECT_JITTER_MS))
        .connectionTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS))
        .pingInterval(Duration.ofMillis(PING_INTERVAL_MS))
        .maxPingsOut(MAX_PINGS_OUT)
        .reconnectBufferSize(0)
        .connectionListener(new LoggingConnectionListener(connectionName))
        .errorListener(new LoggingErrorListener(connectionName))
        .build();
  }

  /**
   * Returns when {@code nats} is connected and the server answers a PING within {@code timeout}
   * (jnats's {@code flush}, which also pushes out anything buffered); for health checks. A server
   * that stopped answering without closing the socket is caught here within {@code timeout}, long
   * before the client's own pings ({@value #PING_INTERVAL_MS} ms × {@value #MAX_PINGS_OUT}) give up
   * on it.
   *
   * @throws IllegalStateException when the connection is not {@code CONNECTED} (disconnected,
   *     reconnecting, closed)
   * @throws TimeoutException when no answer came within {@code timeout}
   * @throws InterruptedException if interrupted while waiting
   */
  public static void probe(Connection nats, Duration timeout)
      throws TimeoutException, InterruptedException {
    Connection.Status status = nats.getStatus();
    if (status != Connection.Status.CONNECTED) {
      throw new IllegalStateException("NATS connection " + status.name().toLowerCase(Locale.ROOT));
    }
    try {
      nats.flush(timeout);
    } catch (TimeoutException | IllegalStateException e) {
      // jnats words a flush cut short by the connection's loss as its cancelled future's class
      // and method ("java.util.concurrent.CancellationException: get"): say what happened.
      Connection.Status after = nats.getStatus();
      if (after != Connection.Status.CONNECTED) {
        throw new IllegalStateException(
            "NATS connection " + after.name().toLowerCase(Locale.ROOT) + " during a PING");
      }
      throw new TimeoutException("no answer to a PING within " + timeout.toMillis() + " ms");
    }
  }

  /** Logs state changes once each: jnats reports DISCONNECTED again after every failed attempt. */
  private static final class LoggingConnectionListener implements ConnectionListener {
    private final String name;
    private final AtomicBoolean up = new AtomicBoolean();

    LoggingConnectionListener(String name) {
      this.name = name;
    }

    @Override
    public void connectionEvent(Connection connection, Events event) {
      String server = connection.getConnectedUrl();
      switch (event) {
        case CONNECTED -> {
          up.set(true);
          log.info("NATS connection {} connected to {}", name, server);
        }
        case RECONNECTED -> {
          up.set(true);
          log.info("NATS connection {} reconnected to {}", name, server);
        }
        case DISCONNECTED -> {
          if (up.getAndSet(false)) {
            log.warn("NATS connection {} disconnected; publishes fail until it reconnects", name);
          } else {
            log.debug("NATS connection {}: reconnect attempt failed", name);
          }
        }
        case CLOSED -> log.info("NATS connection {} closed", name);
        case LAME_DUCK ->
            log.warn("NATS server {} of connection {} entered lame duck mode", server, name);
        default -> log.debug("NATS connection {}: {}", name, event);
      }
    }
  }

  private record LoggingErrorListener(String name) implements ErrorListener {
    @Override
    public void errorOccurred(Connection connection, String error) {
      log.warn("NATS connection {}: server error: {}", name, error);
    }

    @Override
    public void exceptionOccurred(Connection connection, Exception exception) {
      // Failed reconnect attempts repeat every second or so; the disconnect itself is logged once.
      if (connection.getStatus() == Connection.Status.CONNECTED) {
        log.warn("NATS connection {}: {}", name, exception.toString());
      } else {
        log.debug(
            "NATS connection {} ({}): {}", name, connection.getStatus(), exception.toString());
      }
    }

    @Override
    public void slowConsumerDetected(Connection connection, Consumer consumer) {
      log.warn("NATS connection {}: slow consumer, messages are being dropped", name);
    }
  }
}
