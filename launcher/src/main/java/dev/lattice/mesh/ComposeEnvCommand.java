package dev.lattice.mesh;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh compose-env}: writes the {@code .env} file of secrets that {@code
 * docker-compose.yml} needs ({@link ComposeEnv}); refuses to replace an existing one unless {@code
 * --force}.
 */
@Command(
    name = "compose-env",
    description =
        "Writes .env with fresh secrets for docker compose (keeps an existing one unless --force).")
final class ComposeEnvCommand implements Callable<Integer> {

  @Option(
      names = "--root",
      description = "The project folder (holds docker-compose.yml).",
      defaultValue = ".")
  Path root;

  @Option(
      names = "--force",
      description = "Replace an existing .env (then `docker compose down -v` too).")
  boolean force;

  @Override
  public Integer call() {
    Path file;
    try {
      file = ComposeEnv.write(root.toAbsolutePath().normalize(), force);
    } catch (IllegalStateException e) {
      // Refusing to replace the file is an answer, not a failure worth a stack trace.
      System.err.println("mesh: " + e.getMessage());
      return 1;
    }
    System.out.printf(
        "mesh: wrote %s (mode 600, git-ignored) with fresh secrets; the platform administrator"
            + " signs in with %s and %s from it.%n",
        file, ComposeEnv.ADMIN_EMAIL, ComposeEnv.ADMIN_PASSWORD);
    System.out.println("Next:  docker compose up --build   (JSON on http://localhost:8080)");
    return 0;
  }
}
