package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {
  @TempDir Path dir;

  @Test
  void versionedRoots_highestVersionWinsNumerically() throws Exception {
    Path root = dir.resolve("postgresql");
    fakeInstall(root.resolve("9.6/bin"));
    fakeInstall(root.resolve("15/bin"));
    fakeInstall(root.resolve("12/bin"));

    var found =
        PostgresBinaries.locate(Map.of("PATH", dir.resolve("nothing").toString()), List.of(root));

    assertThat(found).map(PostgresBinaries::postgres).contains(root.resolve("15/bin/postgres"));
  }

  @Test
  void pathSymlink_resolvesToTheDirectoryHoldingInitdb() throws Exception {
    Path real = fakeInstall(dir.resolve("lib/15/bin"));
    Path onPath = Files.createDirectories(dir.resolve("usr/bin"));
    Files.createSymbolicLink(onPath.resolve("postgres"), real.resolve("postgres"));

    var found = PostgresBinaries.locate(Map.of("PATH", onPath.toString()), List.of());

    assertThat(found).map(PostgresBinaries::initdb).contains(real.resolve("initdb"));
  }

  @Test
  void envVariable_winsOverPath_andMustHoldBinaries() throws Exception {
    Path configured = fakeInstall(dir.resolve("custom"));
    Path other = fakeInstall(dir.resolve("other"));

    var found =
        PostgresBinaries.locate(
            Map.of("LATTICE_PG_BIN", configured.toString(), "PATH", other.toString()), List.of());

    assertThat(found).map(PostgresBinaries::postgres).contains(configured.resolve("postgres"));
    assertThatThrownBy(
            () ->
                PostgresBinaries.locate(
                    Map.of("LATTICE_PG_BIN", dir.resolve("none").toString()), List.of()))
        .isInstanceOf(ServerStartException.class)
        .hasMessageContaining("LATTICE_PG_BIN");
  }

  @Test
  void nothingInstalled_isEmpty_soTheEmbeddedFallbackIsUsed() {
    assertThat(PostgresBinaries.locate(Map.of("PATH", dir.toString()), List.of(dir))).isEmpty();
  }

  private static Path fakeInstall(Path bin) throws Exception {
    Files.createDirectories(bin);
    for (String name : List.of("postgres", "initdb")) {
      Path exe = Files.writeString(bin.resolve(name), "#!/bin/sh\n");
      Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }
}
