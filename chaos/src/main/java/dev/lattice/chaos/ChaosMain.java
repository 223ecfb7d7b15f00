package dev.lattice.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mesh chaos [--short]}: exits 0 when every invariant met its target, 1 otherwise. */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Starts the mesh with replicas over a NATS cluster, runs a checkout load, injects faults"
            + " on a schedule and checks the invariants afterwards.")
public final class ChaosMain implements Callable<Integer> {

  @Option(
      names = "--short",
      description = "The short run of ./mesh test: each kind of fault once (results in target).")
  boolean shortRun;

  @Option(
      names = "--project",
      description = "The checkout whose launcher/target/lattice-mesh.jar is the mesh to run.",
      defaultValue = ".")
  Path project;

  @Option(
      names = "--out",
      description = "Where the report goes (default: chaos/results; short runs: chaos/target).")
  Path out;

  @Option(
      names = "--port-offset",
      description =
          "Added to every default port of the mesh and its servers (default: ${DEFAULT-VALUE}).",
      defaultValue = "7500")
  int portOffset;

  @Option(
      names = "--service-jvm-option",
      paramLabel = "OPTION",
      description =
          "An option for every service JVM of the mesh (repeatable; passed to up's option of that name; write it with '=').")
  List<String> serviceJvmOptions = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new ChaosMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path checkout = project.toAbsolutePath().normalize();
    ChaosPlan plan = shortRun ? ChaosPlan.shortRun() : ChaosPlan.full();
    Path results =
        out != null ? out : checkout.resolve(shortRun ? "chaos/target/results" : "chaos/results");
    ChaosResult result =
        new ChaosRun(
                plan,
                checkout.resolve("launcher/target/lattice-mesh.jar"),
                portOffset,
                serviceJvmOptions)
            .run();
    Path json = ChaosReport.write(result, results);
    System.out.println(ChaosReport.markdown(result));
    System.out.println("chaos: report in " + json + " (and .md)");
    return result.allMet() ? 0 : 1;
  }
}
