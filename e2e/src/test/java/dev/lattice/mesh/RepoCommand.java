package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program of the repository (a node script, a client's checkout) from its root folder. */
final class RepoCommand {

  /** The repository's root folder (the tests run in e2e/). */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private RepoCommand() {}

  /**
   * Runs {@code command} in the repository root with {@code env} added to this JVM's environment;
   * its stdout lines. Fails the test on a non-zero exit or a timeout, showing both streams; prints
   * stderr either way.
   */
  static List<String> run(List<String> command, Map<String, String> env, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("repo-command", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).directory(ROOT.toFile()).redirectError(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      List<String> lines;
      try (var out = process.inputReader(StandardCharsets.UTF_8)) {
        lines = out.lines().toList();
      }
      boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        process.destroyForcibly();
      }
      String stderr = Files.readString(log);
      System.out.println(
          String.join(" ", command.subList(0, Math.min(2, command.size())))
              + " stderr:\n"
              + stderr);
      assertThat(done && process.exitValue() == 0)
          .as(
              "%s exited %s%nstdout:%n%s%nstderr:%n%s",
              command, done ? process.exitValue() : "(timeout)", String.join("\n", lines), stderr)
          .isTrue();
      return lines;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
