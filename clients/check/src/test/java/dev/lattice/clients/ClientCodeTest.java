package dev.lattice.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client code of every language, without a mesh: the committed Go and Python code is what the
 * contracts generate today ({@code clients/generate.mjs --check}), a stale copy is reported file by
 * file, and each language's helper passes its own unit tests ({@code clients/<language>/test}; the
 * Java example's run in its own module).
 */
class ClientCodeTest {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @Test
  void committedCode_isWhatTheContractsGenerate() throws Exception {
    Result check = run(List.of("node", "clients/generate.mjs", "--check"));

    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("matches the contracts");
  }

  @Test
  void staleCode_isReportedFileByFile(@TempDir Path committed) throws Exception {
    copy(ROOT.resolve("clients/go/gen"), committed.resolve("clients/go/gen"));
    copy(ROOT.resolve("clients/python/gen"), committed.resolve("clients/python/gen"));
    Path edited = committed.resolve("clients/go/gen/lattice/orders/v1/order.pb.go");
    Files.writeString(edited, Files.readString(edited).replace("OrderStatus", "OrderState"));
    Files.delete(committed.resolve("clients/python/gen/lattice/orders/v1/orders_service_pb2.py"));
    Files.writeString(
        committed.resolve("clients/python/gen/lattice/orders/v1/removed_pb2.py"), "# gone\n");

    Result check =
        run(
            List.of(
                "node", "clients/generate.mjs", "--check", "--committed", committed.toString()));

    assertThat(check.exit()).as(check.output()).isEqualTo(1);
    assertThat(check.output())
        .contains("stale go: differs lattice/orders/v1/order.pb.go")
        .contains("stale python: missing lattice/orders/v1/orders_service_pb2.py")
        .contains("stale python: no longer generated lattice/orders/v1/removed_pb2.py")
        .contains("the committed client code is stale (3 files)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"typescript", "go", "python"})
  void helper_passesItsUnitTests(String language) throws Exception {
    Result tests = run(List.of("clients/" + language + "/test"));

    assertThat(tests.exit()).as("clients/%s/test:%n%s", language, tests.output()).isZero();
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("client-code", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(600, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(String.join(" ", command) + ":\n" + output);
      return new Result(process.exitValue(), output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
