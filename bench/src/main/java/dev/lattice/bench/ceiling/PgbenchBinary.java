package dev.lattice.bench.ceiling;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds {@code pgbench} as {@link dev.lattice.local.PostgresServer} finds PostgreSQL's binaries:
 * {@code $LATTICE_PG_BIN/pgbench}, else {@code pgbench} on {@code PATH}, else the highest {@code
 * /usr/lib/postgresql/<version>/bin/pgbench}. Debian's {@code postgresql-<version>} package ships
 * it beside {@code postgres}. Stateless.
 */
final class PgbenchBinary {
  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

  private PgbenchBinary() {}

  /**
   * The {@code pgbench} executable.
   *
   * @throws IllegalStateException naming what to install when there is none
   */
  static Path locate(Map<String, String> env) {
    return find(env)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "pgbench not found ($LATTICE_PG_BIN, PATH, /usr/lib/postgresql/*/bin): "
                        + "apt-get install postgresql (Debian ships pgbench with the server)"));
  }

  static Optional<Path> find(Map<String, String> env) {
    String pgBin = env.get("LATTICE_PG_BIN");
    if (pgBin != null && !pgBin.isBlank()) {
      Path candidate = Path.of(pgBin, "pgbench");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "pgbench"))) {
        return Optional.of(Path.of(dir, "pgbench"));
      }
    }
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin").resolve("pgbench"))
          .filter(Files::isExecutable);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + DEBIAN_ROOT, e);
    }
  }
}
