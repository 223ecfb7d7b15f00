package dev.lattice.platform.db;

import dev.lattice.platform.config.DbConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Tells whether a service's PostgreSQL answers, for its health: one connection of its own, outside
 * the pool, validated with {@link Connection#isValid} on every {@link #check()} and replaced when
 * it fails.
 *
 * <p>Outside the pool because a pool busy with real work is not a dead database: a probe queued
 * behind the service's own calls would report it unreachable under load, and would take a
 * connection from them when idle. The pool itself needs no help to recover: HikariCP drops broken
 * connections and opens new ones on demand.
 *
 * <p>Every step is bounded by {@code timeout}, rounded up to whole seconds (pgjdbc's unit): the TCP
 * connect, the whole login and each read. Not thread-safe: one check at a time; {@link #close()}
 * may be called from another thread.
 */
public final class DatabaseProbe implements AutoCloseable {

  private static final Driver PG_DRIVER = new Driver();

  private final String url;
  private final Properties properties;
  private final int timeoutSeconds;
  private volatile Connection connection;
  private volatile boolean closed;

  private DatabaseProbe(String url, Properties properties, int timeoutSeconds) {
    this.url = url;
    this.properties = properties;
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * A probe of the database {@code config} names, as its own user, with {@code
   * <applicationName>-health} as its application name. Connects on the first check.
   */
  public static DatabaseProbe of(DbConfig config, Duration timeout) {
    Objects.requireNonNull(config, "config");
    int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    Properties props = new Properties();
    props.setProperty("user", config.user());
    props.setProperty("password", config.password());
    props.setProperty("ApplicationName", config.applicationName() + "-health");
    props.setProperty("connectTimeout", Integer.toString(seconds));
    props.setProperty("loginTimeout", Integer.toString(seconds));
    props.setProperty("socketTimeout", Integer.toString(seconds));
    props.setProperty("tcpKeepAlive", "true");
    return new DatabaseProbe(config.url(), props, seconds);
  }

  /**
   * Returns when the database answers: the kept connection passes {@code isValid}, or a new one
   * logs in (the old one may have died with a server that has come back since).
   *
   * @throws SQLException when it does not; the message (for logs, never for callers) says why
   */
  public void check() throws SQLException {
    if (closed) {
      throw new SQLException("probe closed");
    }
    Connection current = connection;
    if (current != null) {
      if (current.isValid(timeoutSeconds)) {
        return;
      }
      connection = null;
      closeQuietly(current);
    }
    Connection fresh = PG_DRIVER.connect(url, properties);
    if (fresh == null) {
      throw new SQLException("not a PostgreSQL JDBC URL");
    }
    connection = fresh;
    if (closed) { // closed while connecting: do not leave the new connection behind
      connection = null;
      closeQuietly(fresh);
    }
  }

  /** Closes the kept connection. Idempotent. */
  @Override
  public void close() {
    closed = true;
    Connection current = connection;
    connection = null;
    if (current != null) {
      closeQuietly(current);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Already broken: nothing left to release.
    }
  }
}
