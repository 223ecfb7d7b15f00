package dev.lattice.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A real {@code nats-server} with JetStream (file storage) on a free loopback port, for tests and
 * {@code ./mesh up}. Needs no JUnit and no NATS client.
 *
 * <p><b>Binary.</b> {@code $LATTICE_NATS_SERVER}, else {@code nats-server} on {@code PATH}, else
 * {@code /usr/sbin} or {@code /usr/local/sbin}. Without one, {@link #start} throws a {@link
 * ServerStartException} whose one-line message names {@code apt-get install nats-server}.
 *
 * <p><b>Durability.</b> From nats-server 2.10 on, the configuration sets {@code sync_interval:
 * always}, so an acknowledged message is on disk before the ack. <b>Risk on 2.9</b> (Debian 12's
 * 2.9.10): the option does not exist and the server fsyncs its store only every 2 minutes, so a
 * power cut or OS crash can lose acknowledged messages; a killed server process does not (the data
 * is in the OS page cache). {@link #syncsEveryWrite()} tells which applies.
 *
 * <p><b>Nothing left behind.</b> The server runs under a watchdog process that stops it once this
 * JVM is gone, even after {@code kill -9}; a shutdown hook stops it on a normal JVM exit.
 *
 * <p><b>Parts.</b> This class holds the options and the configuration file; {@link NatsProcess}
 * runs the process under its watchdog, {@link NatsReadiness} tells when it is ready.
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
public final class NatsServer implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final int PORT_ATTEMPTS = 3;

  /**
   * How to start a server.
   *
   * @param storeDir a persistent JetStream store directory, or null for a temporary one deleted on
   *     close
   * @param port the client port, or 0 for a free one (kept across restarts)
   * @param monitoring whether to open the HTTP monitoring endpoint on a free port
   * @param logFile where the server log goes; null: in the temporary directory, or {@code nats.log}
   *     in a persistent store directory's parent
   * @param startupTimeout how long to wait for the server to accept clients
   * @param cluster this server's place in a JetStream cluster, or null for a server alone
   */
  public record Options(
      Path storeDir,
      int port,
      boolean monitoring,
      Path logFile,
      Duration startupTimeout,
      Cluster cluster) {
    public Options {
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }

    /** A temporary store on a free port, no monitoring, 30 s to start. */
    public static Options temporary() {
      return new Options(null, 0, false, null, Duration.ofSeconds(30), null);
    }

    /** A store kept in {@code storeDir} across runs, on {@code port} (0: a free one). */
    public static Options persistent(Path storeDir, int port) {
      return new Options(
          Objects.requireNonNull(storeDir, "storeDir"),
          port,
          false,
          null,
          Duration.ofSeconds(30),
          null);
    }

    public Options withStoreDir(Path storeDir) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }

    public Options withPort(int port) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }

    public Options withMonitoring(boolean monitoring) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }

    public Options withLogFile(Path logFile) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }

    public Options withStartupTimeout(Duration startupTimeout) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }

    /** This server as a member of {@code cluster}. */
    public Options withCluster(Cluster cluster) {
      return new Options(storeDir, port, monitoring, logFile, startupTimeout, cluster);
    }
  }

  /**
   * A server's place in a JetStream cluster (nats-server's own clustering): its unique name, the
   * port its routes listen on, and the route ports of every member (its own may be among them).
   *
   * @param name the cluster's name, the same on every member
   * @param serverName this member's {@code server_name}, unique in the cluster
   * @param clusterPort the port this member's routes listen on
   * @param routePorts the route ports of the members, all on 127.0.0.1
   */
  public record Cluster(String name, String serverName, int clusterPort, List<Integer> routePorts) {
    public Cluster {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(serverName, "serverName");
      routePorts = List.copyOf(routePorts);
    }
  }

  private final Options options;
  private final NatsBinary binary;
  private final NatsProcess process;
  private final Thread shutdownHook;
  private int port;
  private int monitoringPort = -1;
  private long launchedAt = System.nanoTime();
  private boolean closed;

  private NatsServer(Options options, NatsBinary binary) {
    this.options = options;
    this.binary = binary;
    this.port = options.port();
    this.process = new NatsProcess(binary, options.storeDir(), options.logFile());
    this.shutdownHook = new Thread(this::onJvmExit, "nats-server-shutdown");
  }

  /**
   * Starts a server and waits until it accepts clients with JetStream enabled.
   *
   * @throws ServerStartException if the binary is missing (one line naming the install command), or
   *     the server exits or is not ready in time (the message ends with the log's last lines)
   */
  public static NatsServer start(Options options) {
    Objects.requireNonNull(options, "options");
    NatsBinary binary =
        NatsBinary.probe(NatsBinary.locate(System.getenv(), NatsBinary.FALLBACK_DIRS));
    NatsServer server = new NatsServer(options, binary);
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
  public static NatsServer start() {
    return start(Options.temporary());
  }

  private void startOnSomePort() {
    for (int attempt = 1; ; attempt++) {
      int chosen = port != 0 ? port : FreePorts.next();
      if (options.monitoring() && monitoringPort <= 0) {
        monitoringPort = FreePorts.next();
      }
      try {
        launch(chosen);
        port = chosen;
        awaitReady();
        return;
      } catch (ServerStartException e) {
        process.shutDown("KILL");
        boolean portTaken = e.getMessage().toLowerCase().contains("address already in use");
        if (!portTaken || attempt == PORT_ATTEMPTS) {
          throw e;
        }
        if (options.port() == 0) {
          port = 0;
        }
        monitoringPort = -1;
      }
    }
  }

  private void launch(int clientPort) {
    launchedAt = System.nanoTime();
    process.launch(
        config(
            binary,
            clientPort,
            monitoringPort,
            process.pidFile(),
            process.storeDir(),
            options.cluster()));
  }

  /** The configuration of a server alone. */
  static String config(
      NatsBinary binary, int clientPort, int monitoringPort, Path pidFile, Path storeDir) {
    return config(binary, clientPort, monitoringPort, pidFile, storeDir, null);
  }

  /**
   * The server's configuration file; {@code sync_interval} only where the server knows it, a {@code
   * cluster} block with a route to every member when {@code cluster} is not null.
   */
  static String config(
      NatsBinary binary,
      int clientPort,
      int monitoringPort,
      Path pidFile,
      Path storeDir,
      Cluster cluster) {
    StringBuilder conf = new StringBuilder();
    conf.append("server_name: \"")
        .append(cluster == null ? "lattice" : cluster.serverName())
        .append("\"\n");
    conf.append("listen: \"").append(HOST).append(':').append(clientPort).append("\"\n");
    conf.append("pid_file: ").append(quote(pidFile)).append('\n');
    if (monitoringPort > 0) {
      conf.append("http: \"").append(HOST).append(':').append(monitoringPort).append("\"\n");
    }
    conf.append("jetstream {\n");
    conf.append("  store_dir: ").append(quote(storeDir)).append('\n');
    if (binary.supportsSyncAlways()) {
      conf.append("  sync_interval: always\n");
    }
    conf.append("}\n");
    if (cluster != null) {
      conf.append("cluster {\n");
      conf.append("  name: \"").append(cluster.name()).append("\"\n");
      conf.append("  listen: \"")
          .append(HOST)
          .append(':')
          .append(cluster.clusterPort())
          .append("\"\n");
      conf.append("  routes: [\n");
      for (int route : cluster.routePorts()) {
        conf.append("    \"nats-route://").append(HOST).append(':').append(route).append("\"\n");
      }
      conf.append("  ]\n}\n");
    }
    return conf.toString();
  }

  private static String quote(Path path) {
    return '"' + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private void awaitReady() {
    NatsReadiness.await(process, HOST, port, options.startupTimeout());
  }

  /** {@code nats://127.0.0.1:<port>}. */
  public synchronized String url() {
    return "nats://" + HOST + ":" + port;
  }

  /** The client port; unchanged by {@link #restart()}. */
  public synchronized int port() {
    return port;
  }

  /** The HTTP monitoring port, or -1 when {@link Options#monitoring()} is off. */
  public synchronized int monitoringPort() {
    return monitoringPort;
  }

  /** The server's version, e.g. {@code 2.9.10}. */
  public String version() {
    return binary.version();
  }

  /** True when every JetStream write is fsynced before it is acknowledged (nats-server 2.10+). */
  public boolean syncsEveryWrite() {
    return binary.supportsSyncAlways();
  }

  /** The JetStream store directory. */
  public Path storeDir() {
    return process.storeDir();
  }

  /** The server log. */
  public Path logFile() {
    return process.logFile();
  }

  /** Graceful stop (SIGTERM), waiting for the exit; SIGKILL after 15 s. */
  public synchronized void stop() {
    process.shutDown("TERM");
  }

  /** SIGKILL, as in a crash; waits for the exit. */
  public synchronized void kill() {
    process.shutDown("KILL");
  }

  /**
   * Freezes the server (SIGSTOP), as a hung host would: connections stay open, nothing answers
   * until {@link #resume()}. Resume before stopping or closing it.
   *
   * @throws IllegalStateException if the server does not run
   */
  public synchronized void pause() {
    long pid = pid();
    if (pid <= 0 || !Processes.signal(pid, "STOP")) {
      throw new IllegalStateException("cannot pause nats-server (pid " + pid + ")");
    }
  }

  /** Undoes {@link #pause()} (SIGCONT). */
  public synchronized void resume() {
    long pid = pid();
    if (pid <= 0 || !Processes.signal(pid, "CONT")) {
      throw new IllegalStateException("cannot resume nats-server (pid " + pid + ")");
    }
  }

  /** Stops the server if it runs, then starts it again on the same port over the same store. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    process.shutDown("TERM");
    launch(port);
    awaitReady();
  }

  /** How long ago this server's process was last launched. */
  synchronized Duration sinceLaunch() {
    return Duration.ofNanos(System.nanoTime() - launchedAt);
  }

  /** True while the server process runs. */
  public synchronized boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the server and deletes a temporary store. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      process.shutDown("TERM");
    } finally {
      process.cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook is running or has run.
      }
    }
  }

  private void onJvmExit() {
    synchronized (this) {
      if (!closed) {
        closed = true;
        process.shutDown("TERM");
        process.cleanUp();
      }
    }
  }

  /** The server's process id, or -1 when it does not run. */
  public synchronized long pid() {
    return process.pid();
  }
}
