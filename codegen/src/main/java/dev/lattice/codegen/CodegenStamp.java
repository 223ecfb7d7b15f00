package dev.lattice.codegen;

import dev.lattice.codegen.JooqCodegen.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jooq.Constants;

/**
 * The stamp that lets {@link JooqCodegen} skip work: a SHA-256 of the migrations, the jOOQ and
 * Flyway versions, the generator configuration's version and the request, kept in {@link
 * JooqCodegen#STAMP_FILE} in the target directory; and the clean-up of classes whose migrations are
 * gone.
 *
 * <p>Stateless and thread-safe; the stamp file is replaced atomically.
 */
final class CodegenStamp {
  /** Bump when the generator configuration changes, so every stamp goes stale. */
  private static final String CONFIG_VERSION = "2";

  private CodegenStamp() {}

  /** The regular files under {@code dir}, sorted by relative path; empty if it does not exist. */
  static List<Path> migrationFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .sorted((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The stamp of {@code request} over {@code migrations}, as hex. */
  static String compute(Request request, List<Path> migrations) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      update(sha, "config " + CONFIG_VERSION);
      update(sha, "jooq " + Constants.FULL_VERSION);
      update(sha, "flyway " + Flyway.class.getPackage().getImplementationVersion());
      update(sha, "package " + request.packageName());
      update(sha, "schema " + request.schema());
      update(sha, "target " + request.targetDir().toAbsolutePath().normalize());
      for (Path file : migrations) {
        update(sha, "file " + request.migrations().relativize(file));
        sha.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the migrations", e);
    }
  }

  private static void update(MessageDigest sha, String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }

  /** The stamp in {@code stampFile}, or empty when there is none or it cannot be read. */
  static String read(Path stampFile) {
    try {
      return Files.isRegularFile(stampFile) ? Files.readString(stampFile).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Writes {@code stamp} through a temporary file moved into place. */
  static void write(Path stampFile, String stamp) {
    try {
      Path tmp = stampFile.resolveSibling(JooqCodegen.STAMP_FILE + ".tmp");
      Files.writeString(tmp, stamp + "\n");
      Files.move(
          tmp, stampFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stampFile, e);
    }
  }

  /** Deletes the stamp, so that a generation that fails half-way is redone next time. */
  static void delete(Path stampFile) {
    try {
      Files.deleteIfExists(stampFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the stamp and the generated package, whose migrations are gone. */
  static void deleteWithClasses(Path packageDir, Path stampFile) {
    try {
      Files.deleteIfExists(stampFile);
      if (Files.isDirectory(packageDir)) {
        try (Stream<Path> paths = Files.walk(packageDir)) {
          for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove stale jOOQ classes in " + packageDir, e);
    }
  }
}
