package dev.lattice.mesh;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./mesh}: {@code up}, {@code down}, {@code status} and {@code compose-env}.
 */
@Command(
    name = "mesh",
    mixinStandardHelpOptions = true,
    description = "Runs the Lattice mesh: PostgreSQL, NATS and the six services.",
    subcommands = {
      UpCommand.class,
      DownCommand.class,
      StatusCommand.class,
      ComposeEnvCommand.class
    })
public final class MeshMain {

  public static void main(String[] args) {
    int exit =
        new CommandLine(new MeshMain())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  // One clear line for the person at the terminal; the detail is in the log.
                  org.slf4j.LoggerFactory.getLogger(MeshMain.class).error("mesh failed", e);
                  cmd.getErr()
                      .println("mesh: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                  return 1;
                })
            .execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }
}
