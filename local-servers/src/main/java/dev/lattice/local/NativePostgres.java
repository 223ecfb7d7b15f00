package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL from installed binaries. As root, {@code initdb} and {@code postgres} run as the
 * {@code postgres} OS user through {@code runuser}, over directories that user owns.
 */
final class NativePostgres implements PostgresBackend {
  private static final String OS_USER = "postgres";

  private final PostgresBinaries binaries;
  private final boolean fsync;
  private final Map<String, String> settings;
  private final boolean asRoot;
  private final Path tempRoot; // null for a persistent cluster
  private final Path dataDir;
  private final Path socketDir;
  private final Path logFile;
  private Process wrapper;

  NativePostgres(PostgresBinaries binaries, PostgresServer.Options options) {
    this.binaries = binaries;
    this.fsync = options.fsync();
    this.settings = options.settings();
    this.asRoot = Processes.isRoot();
    if (asRoot && !Processes.userExists(OS_USER)) {
      throw new ServerStartException(
          "running as root needs the OS user 'postgres' (apt-get install postgresql creates it)");
    }
    try {
      if (options.dataDir() == null) {
        tempRoot = Files.createTempDirectory("lattice-pg-");
        dataDir = tempRoot.resolve("data");
        socketDir = Files.createDirectory(tempRoot.resolve("sock"));
        logFile = options.logFile() != null ? options.logFile() : tempRoot.resolve("postgres.log");
      } else {
        tempRoot = null;
        dataDir = options.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        if (asRoot) {
          requireReachableByOsUser(dataDir);
        }
        // A short path of its own: a socket path may not exceed 107 bytes.
        socketDir = Files.createTempDirectory("lattice-pgsock-");
        logFile =
            options.logFile() != null
                ? options.logFile()
                : dataDir.getParent().resolve("postgres.log");
      }
      if (logFile.getParent() != null) {
        Files.createDirectories(logFile.getParent());
      }
      if (asRoot) {
        Processes.chownRecursively(tempRoot != null ? tempRoot : dataDir, OS_USER);
        Processes.chownRecursively(socketDir, OS_USER);
      }
      if (Files.exists(dataDir)) {
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare PostgreSQL directories", e);
    }
  }

  /** The server runs as {@value #OS_USER}, which must be able to enter every parent directory. */
  private static void requireReachableByOsUser(Path dir) throws IOException {
    Path blocking = firstUnreachableParent(dir);
    if (blocking != null) {
      throw new ServerStartException(
          "PostgreSQL runs as the OS user postgres, which cannot enter "
              + blocking
              + " (chmod o+x "
              + blocking
              + ", or keep the data directory elsewhere)");
    }
  }

  /** Whether {@value #OS_USER} can enter every parent of {@code dir}; false when unreadable. */
  static boolean reachableByOsUser(Path dir) {
    try {
      return firstUnreachableParent(dir) == null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * As root the postmaster runs under runuser, which stops itself when its child stops (job
   * control, as su does) and would then never reap it: after a SIGCONT to the postmaster {@code
   * pid}, this continues its runuser parent too, if it has one.
   */
  static void continueRunuser(long pid) {
    ProcessHandle.of(pid)
        .flatMap(ProcessHandle::parent)
        .filter(parent -> parent.info().command().orElse("").endsWith("/runuser"))
        .ifPresent(parent -> Processes.signal(parent.pid(), "CONT"));
  }

  /** The first parent of {@code dir} that {@value #OS_USER} cannot enter, or null if none. */
  static Path firstUnreachableParent(Path dir) throws IOException {
    for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
      if (!Files.exists(p)) {
        continue;
      }
      PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class);
      boolean reachable =
          attrs.owner().getName().equals(OS_USER)
              || attrs.permissions().contains(PosixFilePermission.OTHERS_EXECUTE)
              || (attrs.group().getName().equals(OS_USER)
                  && attrs.permissions().contains(PosixFilePermission.GROUP_EXECUTE));
      if (!reachable) {
        return p;
      }
    }
    return null;
  }

  @Override
  public void start(int port) {
    if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
      initdb();
    }
    List<String> command = asUser(binaries.postgres().toString());
    command.addAll(
        List.of(
            "-D",
            dataDir.toString(),
            "-p",
            Integer.toString(port),
            "-k",
            socketDir.toString(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=" + (fsync ? "on" : "off"),
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=128MB"));
    settings.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
    List<String> wrapped =
        Watchdog.wrap(
            command,
            dataDir.resolve("postmaster.pid"),
            "postgres",
            List.of("INT", "QUIT"),
            tempRoot != null ? tempRoot : socketDir);
    try {
      wrapper =
          new ProcessBuilder(wrapped)
              .directory(socketDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new ServerStartException(
          "cannot start " + binaries.postgres() + ": " + e.getMessage(), e);
    }
  }

  private void initdb() {
    List<String> command = asUser(binaries.initdb().toString());
    command.addAll(
        List.of(
            "-D",
            dataDir.toString(),
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-A",
            "trust",
            "-U",
            "postgres"));
    if (!fsync) {
      command.add("--no-sync");
    }
    int exit = Processes.run(command, socketDir, logFile, Duration.ofMinutes(2));
    if (exit != 0) {
      throw new ServerStartException(
          "initdb failed with exit code " + exit + Processes.tail(logFile, 20));
    }
  }

  private List<String> asUser(String executable) {
    List<String> command = new ArrayList<>();
    if (asRoot) {
      String runuser =
          Processes.findExecutable(
                  "runuser",
                  System.getenv("PATH"),
                  List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin")))
              .map(Path::toString)
              .orElse("runuser");
      command.addAll(List.of(runuser, "-u", OS_USER, "--"));
    }
    command.add(executable);
    return command;
  }

  /** The postmaster's pid from its lock file, or -1 while there is none. */
  @Override
  public long pid() {
    if (wrapper == null || !wrapper.isAlive()) {
      return -1;
    }
    String first = Processes.readFirstLine(dataDir.resolve("postmaster.pid"));
    try {
      return first.isEmpty() ? -1 : Long.parseLong(first);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void stop() {
    shutDown(List.of("INT", "QUIT"));
  }

  @Override
  public void kill() {
    shutDown(List.of("QUIT"));
  }

  /** Sends each signal in turn to the postmaster until the wrapper (and so the server) exits. */
  private void shutDown(List<String> signals) {
    if (wrapper == null) {
      return;
    }
    for (String signal : signals) {
      if (!wrapper.isAlive()) {
        break;
      }
      long pid = pid();
      if (pid > 0 && Processes.isAlive(pid)) {
        Processes.signal(pid, signal);
      } else {
        // Start failed before the lock file existed: end whatever runs under the wrapper.
        wrapper.descendants().forEach(ProcessHandle::destroy);
      }
      if (Processes.awaitExit(wrapper, Duration.ofSeconds(30))) {
        break;
      }
    }
    if (wrapper.isAlive()) {
      wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
      wrapper.destroyForcibly();
      Processes.awaitExit(wrapper, Duration.ofSeconds(10));
    }
    wrapper = null;
  }

  @Override
  public boolean isRunning() {
    return wrapper != null && wrapper.isAlive();
  }

  @Override
  public void cleanUp() {
    if (tempRoot != null) {
      Processes.deleteRecursively(tempRoot);
    } else {
      Processes.deleteRecursively(socketDir);
    }
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public Path logFile() {
    return logFile;
  }
}
