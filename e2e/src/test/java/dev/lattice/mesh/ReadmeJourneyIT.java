package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.mesh.ReadmeCommands.Answer;
import dev.lattice.mesh.ReadmeCommands.Command;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's commands, run as they are written against a real {@code ./mesh up}, so that the
 * README cannot rot: the quick start's journey over gRPC with {@code buf curl} and the JSON session
 * through the edge. Every {@code sh} block of those sections runs in one bash session (variables
 * such as {@code $TOKEN} carry over) in the mesh's root folder, which holds {@code .lattice/} as a
 * checkout does, in README order; each must end with status 0 and print the answer block shown
 * under it ({@code …} for what differs run to run), or nothing when none is shown.
 *
 * <p>The one difference from a user's terminal is where the mesh is: the README reads its addresses
 * from variables with the defaults a user has ({@code EDGE=${EDGE:-http://localhost:8080}}, {@code
 * IDENTITY}, … for 9101–9106) and this test sets them to the shared mesh's shifted ports. {@code
 * buf} comes from the checkout's {@code node_modules} ({@code ./mesh test} runs npm first). After
 * the first failing block the rest are skipped: they build on it. The blocks and their output are
 * kept in {@code target/readme-journey/}.
 */
@ExtendWith(SharedMeshes.class)
class ReadmeJourneyIT {

  static final List<String> SECTIONS =
      List.of(
          "Quick start: the whole journey over gRPC",
          "Browsers: JSON and gRPC-Web through the edge");

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** The loops in the README give the saga 10 s; this is for a machine under load. */
  private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(90);

  /** The variables the README takes the services' gRPC addresses from, and their default ports. */
  private static final Map<String, Integer> SERVICE_VARIABLES =
      Map.of(
          "IDENTITY",
          9101,
          "ORDERS",
          9102,
          "INVENTORY",
          9103,
          "PAYMENTS",
          9104,
          "NOTIFICATIONS",
          9105,
          "AUDIT",
          9106);

  private static ShellSession shell;
  private static String firstFailure;

  @TestFactory
  Stream<DynamicTest> readmeCommands_runVerbatim_printTheAnswersShown(SharedMesh mesh)
      throws IOException {
    Path buf = ROOT.resolve("node_modules/.bin/buf");
    assertThat(Files.isExecutable(buf))
        .as(
            "buf at %s: run 'npm ci --no-audit --no-fund' in %s first (./mesh test does)",
            buf, ROOT)
        .isTrue();
    List<Command> commands =
        ReadmeCommands.of(Files.readAllLines(ROOT.resolve("README.md")), SECTIONS);

    Map<String, String> environment = new HashMap<>();
    environment.put("PATH", buf.getParent() + File.pathSeparator + System.getenv("PATH"));
    environment.put("EDGE", mesh.edgeUrl());
    SERVICE_VARIABLES.forEach(
        (name, port) -> environment.put(name, "http://localhost:" + mesh.process.port(port)));
    shell =
        new ShellSession(
            mesh.root, environment, Path.of("target", "readme-journey").toAbsolutePath());

    return commands.stream()
        .map(
            command ->
                DynamicTest.dynamicTest(
                    "README.md:" + command.line() + " (" + command.section() + ")",
                    () -> run(command)));
  }

  @AfterAll
  static void stopTheShell() {
    if (shell != null) {
      shell.close();
    }
  }

  private static void run(Command command) throws Exception {
    assumeTrue(
        firstFailure == null, () -> "not run: it builds on " + firstFailure + ", which failed");
    try {
      check(command);
    } catch (Throwable failure) {
      firstFailure = "README.md:" + command.line();
      throw failure;
    }
  }

  private static void check(Command command) throws Exception {
    String where = "README.md:" + command.line() + " (" + command.section() + ")";
    ShellSession.Result result;
    try {
      result = shell.run(command.text(), BLOCK_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new AssertionError(
          where + ": " + e.getMessage() + "\n--- the commands\n" + command.text());
    }
    String expected = command.answer().map(Answer::text).orElse("");
    ReadmeAnswer answer = ReadmeAnswer.of(expected);
    if (result.status() == 0 && answer.matches(result.output())) {
      return;
    }
    String headline =
        result.status() != 0
            ? where + " ended with exit status " + result.status()
            : where
                + " printed something else than "
                + command
                    .answer()
                    .map(a -> "the answer at README.md:" + a.line())
                    .orElse("nothing (no answer shown)")
                + answer
                    .firstDifference(result.output())
                    .map(d -> "\nfirst difference: " + d)
                    .orElse("");
    fail(
        headline
            + "\n--- the commands\n"
            + command.text()
            + "\n--- the answer shown ("
            + ReadmeAnswer.PLACEHOLDER
            + " is any text in a line; a line of "
            + ReadmeAnswer.PLACEHOLDER
            + " alone is any lines)\n"
            + expected
            + "\n--- what they printed (exit status "
            + result.status()
            + ")\n"
            + result.output());
  }
}
