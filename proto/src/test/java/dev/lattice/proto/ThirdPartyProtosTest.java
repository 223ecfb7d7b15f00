package dev.lattice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code proto/third_party} holds the third-party protos the contracts import, so that {@code buf}
 * works on a fresh clone without a build: each must be byte for byte the file of the jar the build
 * compiles against (the same version), and every third-party import must be there.
 */
class ThirdPartyProtosTest {

  private static final Path THIRD_PARTY = Path.of("third_party");
  private static final Path CONTRACTS = Path.of("src", "main", "proto");
  private static final Pattern IMPORT = Pattern.compile("^import \"([^\"]+)\";", Pattern.MULTILINE);

  @Test
  void everyCopy_isTheJarsFile_byteForByte() throws IOException {
    List<Path> copies = protosUnder(THIRD_PARTY);
    assertThat(copies).isNotEmpty();
    for (Path copy : copies) {
      String name = THIRD_PARTY.relativize(copy).toString();
      try (InputStream jar = getClass().getClassLoader().getResourceAsStream(name)) {
        assertThat(jar).as("%s on the build's classpath", name).isNotNull();
        assertThat(Files.readAllBytes(copy))
            .as("%s equals the jar's (update the copy with the dependency)", name)
            .isEqualTo(jar.readAllBytes());
      }
    }
  }

  @Test
  void everyThirdPartyImport_ofTheContractsAndTheCopies_isCopied() throws IOException {
    for (Path file :
        Stream.concat(protosUnder(CONTRACTS).stream(), protosUnder(THIRD_PARTY).stream())
            .toList()) {
      Matcher imports = IMPORT.matcher(Files.readString(file));
      while (imports.find()) {
        String imported = imports.group(1);
        if (imported.startsWith("lattice/") || imported.startsWith("google/protobuf/")) {
          continue; // ours, or built into buf
        }
        assertThat(THIRD_PARTY.resolve(imported))
            .as("%s imports %s", file, imported)
            .isRegularFile();
      }
    }
  }

  private static List<Path> protosUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".proto")).sorted().toList();
    }
  }
}
