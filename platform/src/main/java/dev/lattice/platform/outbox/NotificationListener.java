package dev.lattice.platform.outbox;

import dev.lattice.platform.config.DbConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a dedicated PostgreSQL connection that {@code LISTEN}s on the outbox channel and calls
 * {@code onNotify} for every batch of notifications, so the relay wakes within milliseconds of a
 * commit instead of at its next poll.
 *
 * <p>A broken connection (server restart, {@code pg_terminate_backend}, network) is replaced with
 * growing pauses up to {@value #MAX_RECONNECT_PAUSE_MS} ms; after every (re)connect {@code
 * onNotify} runs once, since commits during the gap notified nobody. A connection that hangs
 * silently is caught by a {@code SELECT 1} every {@value #LIVENESS_CHECK_MS} ms. Meanwhile the
 * relay's poll interval bounds the delay.
 *
 * <p>Runs on its own daemon thread between {@link #start()} and {@link #close()}.
 */
final class NotificationListener implements AutoCloseable {

  /** A source of fresh, unpooled connections to the service's database. */
  @FunctionalInterface
  interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  static final long MAX_RECONNECT_PAUSE_MS = 5_000;
  static final long LIVENESS_CHECK_MS = 10_000;
  static final int WAIT_MS = 500;
  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
  private static final Driver PG_DRIVER = new Driver();

  private final ConnectionFactory connections;
  private final Runnable onNotify;
  private final String name;
  private final Thread thread;
  private volatile boolean closed;

  NotificationListener(ConnectionFactory connections, Runnable onNotify, String name) {
    this.connections = connections;
    this.onNotify = onNotify;
    this.name = name;
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
  }

  /**
   * Connections with {@code db}'s URL, credentials and timeouts, outside the pool, with application
   * name {@code <name>-outbox-listen}.
   */
  static ConnectionFactory connectionsTo(DbConfig db) {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    props.setProperty("ApplicationName", db.applicationName() + "-outbox-listen");
    props.setProperty(
        "connectTimeout", Long.toString(Math.max(1, db.connectTimeout().toSeconds())));
    props.setProperty("socketTimeout", Long.toString(Math.max(0, db.socketTimeout().toSeconds())));
    props.setProperty("tcpKeepAlive", "true");
    String url = db.url();
    return () -> {
      Connection connection = PG_DRIVER.connect(url, props);
      if (connection == null) {
        throw new SQLException("not a PostgreSQL JDBC URL: " + url);
      }
      return connection;
    };
  }

  void start() {
    thread.start();
  }

  private void run() {
    long pause = 100;
    while (!closed) {
      try (Connection connection = connections.open()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + OutboxTable.NOTIFY_CHANNEL);
        }
        log.debug("{}: listening on {}", name, OutboxTable.NOTIFY_CHANNEL);
        pause = 100;
        onNotify.run();
        listen(connection);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        log.warn(
            "{}: LISTEN connection failed ({}); polling only, reconnecting in {} ms",
            name,
            e.toString(),
            pause);
        sleep(pause);
        pause = Math.min(MAX_RECONNECT_PAUSE_MS, pause * 2);
      }
    }
  }

  private void listen(Connection connection) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    long nextCheck = System.nanoTime() + Duration.ofMillis(LIVENESS_CHECK_MS).toNanos();
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(WAIT_MS);
      if (notifications != null && notifications.length > 0) {
        onNotify.run();
      }
      if (System.nanoTime() - nextCheck > 0) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SELECT 1");
        }
        nextCheck = System.nanoTime() + Duration.ofMillis(LIVENESS_CHECK_MS).toNanos();
      }
    }
  }

  /**
   * Stops listening; the thread notices within {@value #WAIT_MS} ms and closes its connection.
   * Waits up to 5 s for it.
   */
  @Override
  public void close() {
    closed = true;
    thread.interrupt(); // ends a reconnect pause; a blocked read ends at its timeout
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // only close() interrupts; the loop checks the flag
    }
  }
}
