package dev.lattice.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the {@code postgres} and {@code initdb} executables of one PostgreSQL installation are. */
record PostgresBinaries(Path postgres, Path initdb) {

  /** Environment variable naming a directory that holds {@code postgres} and {@code initdb}. */
  static final String BIN_ENV = "LATTICE_PG_BIN";

  /**
   * Finds an installation: {@code $LATTICE_PG_BIN}, else {@code postgres} on {@code PATH}
   * (following symlinks to its real directory, where Debian keeps {@code initdb}), else the highest
   * {@code <root>/<version>/bin} under the given Debian-style roots.
   *
   * @return empty if there is none
   * @throws ServerStartException if {@code LATTICE_PG_BIN} is set but holds no PostgreSQL
   */
  static Optional<PostgresBinaries> locate(Map<String, String> env, List<Path> versionedRoots) {
    String configured = Processes.env(env, BIN_ENV);
    if (configured != null) {
      return Optional.of(
          inDirectory(Path.of(configured))
              .orElseThrow(
                  () ->
                      new ServerStartException(
                          BIN_ENV
                              + "="
                              + configured
                              + " holds no postgres and initdb executables")));
    }
    Optional<Path> onPath =
        Processes.findExecutable("postgres", Processes.env(env, "PATH"), List.of());
    if (onPath.isPresent()) {
      Optional<PostgresBinaries> beside = inDirectory(realDirectory(onPath.get()));
      if (beside.isPresent()) {
        return beside;
      }
      Optional<Path> initdb =
          Processes.findExecutable("initdb", Processes.env(env, "PATH"), List.of());
      if (initdb.isPresent()) {
        return Optional.of(new PostgresBinaries(onPath.get(), initdb.get()));
      }
    }
    return versionedRoots.stream()
        .flatMap(PostgresBinaries::versionDirectories)
        .sorted(Comparator.comparing(PostgresBinaries::versionKey).reversed())
        .map(dir -> inDirectory(dir.resolve("bin")))
        .flatMap(Optional::stream)
        .findFirst();
  }

  static Optional<PostgresBinaries> inDirectory(Path dir) {
    Path postgres = dir.resolve("postgres");
    Path initdb = dir.resolve("initdb");
    return Files.isExecutable(postgres) && Files.isExecutable(initdb)
        ? Optional.of(new PostgresBinaries(postgres, initdb))
        : Optional.empty();
  }

  private static Path realDirectory(Path executable) {
    try {
      return executable.toRealPath().getParent();
    } catch (IOException e) {
      return executable.getParent();
    }
  }

  private static Stream<Path> versionDirectories(Path root) {
    if (!Files.isDirectory(root)) {
      return Stream.empty();
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .toList()
          .stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }

  /** "15" → 15000, "9.6" → 9006: orders Debian's version directories numerically. */
  private static int versionKey(Path dir) {
    String[] parts = dir.getFileName().toString().split("\\.");
    int major = Integer.parseInt(parts[0]);
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    return major * 1000 + minor;
  }
}
