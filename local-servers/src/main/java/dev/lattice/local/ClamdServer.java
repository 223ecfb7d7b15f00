package dev.lattice.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ClamAV's scanning daemon (Debian's {@code clamav-daemon}) on a loopback TCP port, for {@code
 * ./mesh up} and the media tests. Its signature database is the project's own: no signature
 * download is reachable from the machines Lattice is built on, so it loads {@code lattice.ndb}, one
 * signature that finds the EICAR test string anywhere in a file (the industry's harmless stand-in
 * for a virus), plus the {@code .cvd}/{@code .cld} databases of a system {@code freshclam} when
 * {@link Options#systemDatabases} names a directory that holds them.
 *
 * <p>Thread-safe.
 */
public final class ClamdServer implements AutoCloseable {

  /** The mesh's clamd port; {@code --port-offset} is added. */
  public static final int DEFAULT_PORT = 9231;

  /** Debian's freshclam database directory. */
  public static final Path DEBIAN_DATABASES = Path.of("/var/lib/clamav");

  private static final String HOST = "127.0.0.1";

  /** The largest stream clamd accepts; media limits sit well below it. */
  private static final String STREAM_MAX = "100M";

  /**
   * How to start the daemon.
   *
   * @param port its TCP port; 0 for a free one
   * @param logFile where its output goes
   * @param systemDatabases a directory of freshclam's databases to load as well, or null
   * @param startupTimeout how long {@link #awaitReady} waits for PONG
   */
  public record Options(int port, Path logFile, Path systemDatabases, Duration startupTimeout) {
    public Options {
      Objects.requireNonNull(logFile, "logFile");
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }
  }

  private final Options options;
  private final int port;
  private final WatchedProcess process;

  private ClamdServer(Options options, int port, WatchedProcess process) {
    this.options = options;
    this.port = port;
    this.process = process;
  }

  /** Where clamd is, if installed: PATH, then the sbin directories Debian puts it in. */
  public static java.util.Optional<Path> binary() {
    return Processes.findExecutable(
        "clamd",
        System.getenv("PATH"),
        List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/sbin")));
  }

  /**
   * Starts clamd and returns without waiting for its databases to load.
   *
   * @throws ServerStartException if clamd is not installed or cannot be started
   */
  public static ClamdServer launch(Options options) {
    Objects.requireNonNull(options, "options");
    Path clamd =
        binary()
            .orElseThrow(
                () ->
                    new ServerStartException(
                        "clamd not found: install Debian's clamav-daemon package"
                            + " (apt-get install clamav-daemon)"));
    int port = options.port() == 0 ? FreePorts.next() : options.port();
    Path workDir;
    Path config;
    try {
      if (options.logFile().getParent() != null) {
        Files.createDirectories(options.logFile().getParent());
      }
      workDir = Files.createTempDirectory("lattice-clamd-");
      Path databases = Files.createDirectories(workDir.resolve("db"));
      try (InputStream ndb = ClamdServer.class.getResourceAsStream("clamd/lattice.ndb")) {
        if (ndb == null) {
          throw new IllegalStateException("lattice.ndb is missing from local-servers' resources");
        }
        Files.copy(ndb, databases.resolve("lattice.ndb"));
      }
      if (options.systemDatabases() != null && Files.isDirectory(options.systemDatabases())) {
        try (var files = Files.list(options.systemDatabases())) {
          for (Path f : files.filter(ClamdServer::isDatabase).toList()) {
            Files.copy(f, databases.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      config = workDir.resolve("clamd.conf");
      Files.writeString(config, config(port, databases, workDir), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare clamd's directories", e);
    }
    WatchedProcess process =
        WatchedProcess.start(
            "clamd",
            List.of(clamd.toString(), "--config-file=" + config),
            "clamd",
            workDir.resolve("clamd.pid"),
            workDir,
            options.logFile(),
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    return new ClamdServer(options, port, process);
  }

  /** {@link #launch} and {@link #awaitReady}; stops the daemon again if it does not come up. */
  public static ClamdServer start(Options options) {
    ClamdServer server = launch(options);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static boolean isDatabase(Path f) {
    String name = f.getFileName().toString();
    return name.endsWith(".cvd") || name.endsWith(".cld");
  }

  static String config(int port, Path databases, Path workDir) {
    return String.join(
        "\n",
        "Foreground yes",
        "TCPSocket " + port,
        "TCPAddr " + HOST,
        "DatabaseDirectory " + databases,
        "PidFile " + workDir.resolve("clamd.pid"),
        "LogTime yes",
        "StreamMaxLength " + STREAM_MAX,
        "SelfCheck 0",
        "");
  }

  /**
   * Waits until clamd answers {@code PING} with {@code PONG} (its databases are loaded then).
   *
   * @throws ServerStartException if clamd exits or does not answer within the startup timeout
   */
  public void awaitReady() {
    process.awaitReady(options.startupTimeout(), this::pongs);
  }

  private boolean pongs() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 500);
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write("zPING\0".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = socket.getInputStream().readNBytes(5);
      return new String(answer, StandardCharsets.US_ASCII).equals("PONG\0");
    } catch (IOException e) {
      return false; // not listening yet, or still loading
    }
  }

  /** The daemon's TCP port. */
  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}, for {@code LATTICE_MEDIA_CLAMD}. */
  public String address() {
    return HOST + ":" + port;
  }

  /** True while clamd runs. */
  public boolean isRunning() {
    return process.isRunning();
  }

  /** Stops clamd and waits for it. Idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "clamd on " + address();
  }
}
