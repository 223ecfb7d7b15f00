package dev.lattice.bench.ceiling;

import dev.lattice.local.PostgresServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the three ceilings on servers of their own and prints the figures: pgbench with the
 * services' SQL (on a PostgreSQL it starts, migrates and seeds, or on a running mesh's databases),
 * the bare gRPC echo server, and JetStream. The load driver calls the ceiling classes itself; this
 * is for a person who wants the figures alone:
 *
 * <pre>
 * java -cp bench/target/lattice-bench.jar dev.lattice.bench.ceiling.CeilingsMain --quick
 * </pre>
 */
@Command(
    name = "ceilings",
    mixinStandardHelpOptions = true,
    description = "Measures the ceilings of issue #14 on this machine and prints them.")
public final class CeilingsMain implements Callable<Integer> {

  @Option(names = "--quick", description = "3 s per pgbench step and 3 s per gRPC/NATS run.")
  boolean quick;

  @Option(
      names = "--clients",
      split = ",",
      description = "pgbench client counts (default: 1,2,4,8,16,32).")
  List<Integer> clients = List.of(1, 2, 4, 8, 16, 32);

  @Option(names = "--lines", description = "Lines per CreateOrder, 1 to 4 (default: 1).")
  int lines = 1;

  @Option(
      names = "--pg",
      description =
          "host:port of a running mesh's PostgreSQL (its lattice_orders and lattice_inventory,"
              + " seeded); default: a PostgreSQL of its own, migrated and seeded.")
  String pg;

  @Option(names = "--pg-user", description = "With --pg: the role (default: postgres).")
  String pgUser = "postgres";

  @Option(
      names = "--pgbench-role",
      description =
          "With --pg: the role pgbench connects as, trusted by the server (default:"
              + " lattice_service, the services' runtime role, under row-level security).")
  String pgbenchRole = PostgresServer.RUNTIME_ROLE;

  @Option(
      names = "--pg-password-env",
      description = "With --pg: the environment variable holding the password (default: none).")
  String pgPasswordEnv;

  @Option(names = "--seed-products", description = "Own PostgreSQL: products (default: 1000).")
  int seedProducts = 1000;

  @Option(names = "--seed-orders", description = "Own PostgreSQL: orders (default: 10000).")
  int seedOrders = 10_000;

  @Option(names = "--echo-in-flight", description = "Echo calls in flight (default: 64).")
  int echoInFlight = 64;

  @Option(names = "--echo-channels", description = "Echo channels (default: 4).")
  int echoChannels = 4;

  @Option(names = "--nats-in-flight", description = "JetStream publishes in flight (default: 256).")
  int natsInFlight = 256;

  @Option(names = "--no-pgbench", description = "Skip the PostgreSQL ceiling.")
  boolean noPgbench;

  @Option(names = "--no-echo", description = "Skip the gRPC ceiling.")
  boolean noEcho;

  @Option(names = "--no-jetstream", description = "Skip the JetStream ceiling.")
  boolean noJetStream;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    // Flyway tells of every migration it applies to the seeded databases; only its warnings matter
    // here (slf4j-simple reads this before the first logger is made).
    if (System.getProperty("org.slf4j.simpleLogger.log.org.flywaydb") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
      System.setProperty("org.slf4j.simpleLogger.log.dev.lattice.platform.db", "warn");
    }
    System.exit(new CommandLine(new CeilingsMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Duration step = Duration.ofSeconds(quick ? 3 : 10);
    Duration warmup = Duration.ofSeconds(quick ? 2 : 5);
    out.printf(
        "Ceilings on %d cores, %s per step; load average before: %s%n",
        Runtime.getRuntime().availableProcessors(), step, loadAverage());
    if (!noPgbench) {
      pgbench(PgbenchCeiling.Settings.forLines(clients, step, lines));
    }
    if (!noEcho) {
      for (EchoCeiling.Settings s :
          List.of(
              EchoCeiling.Settings.createOrderSized(warmup, step),
              EchoCeiling.Settings.getOrderSized(warmup, step))) {
        EchoCeiling.Result r =
            EchoCeiling.measure(s.withInFlight(echoInFlight).withChannels(echoChannels));
        out.printf(
            "gRPC echo %d B -> %d B, %d in flight on %d channels: %.0f calls/s,"
                + " p50 %.3f ms, p99 %.3f ms%n",
            s.requestBytes(),
            s.responseBytes(),
            echoInFlight,
            echoChannels,
            r.callsPerSecond(),
            r.latency().p50Millis(),
            r.latency().p99Millis());
      }
    }
    if (!noJetStream) {
      JetStreamCeiling.Result r =
          JetStreamCeiling.measureOnOwnServer(
              JetStreamCeiling.Settings.orderCreatedSized(warmup, step).withInFlight(natsInFlight));
      out.printf(
          "JetStream (nats-server %s, fsync every write: %s) %d B, %d in flight: %.0f msgs/s,"
              + " ack p50 %.3f ms, p99 %.3f ms%n",
          r.serverVersion(),
          r.syncsEveryWrite(),
          r.settings().messageBytes(),
          natsInFlight,
          r.messagesPerSecond(),
          r.ackLatency().p50Millis(),
          r.ackLatency().p99Millis());
    }
    out.printf("load average after: %s%n", loadAverage());
    return 0;
  }

  /**
   * The 1, 5 and 15 minute load averages: other work on the machine lowers every ceiling, so the
   * figures are printed with it.
   */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private void pgbench(PgbenchCeiling.Settings settings) throws Exception {
    PgbenchCeiling.Result result;
    if (pg == null) {
      out.printf(
          "PostgreSQL: own server, seeding %d products, %d orders%n", seedProducts, seedOrders);
      try (CeilingDatabases dbs = CeilingDatabases.start(seedProducts, seedOrders)) {
        result =
            PgbenchCeiling.measure(
                dbs.orders(), dbs.inventory(), settings.withRole(dbs.runtimeRole()));
      }
    } else {
      int colon = pg.lastIndexOf(':');
      String password = pgPasswordEnv == null ? "" : System.getenv(pgPasswordEnv);
      DatabaseTarget admin =
          new DatabaseTarget(
              pg.substring(0, colon),
              Integer.parseInt(pg.substring(colon + 1)),
              pgUser,
              password == null ? "" : password,
              "postgres");
      out.printf("PostgreSQL: %s (lattice_orders, lattice_inventory)%n", pg);
      result =
          PgbenchCeiling.measure(
              admin.withDatabase("lattice_orders"),
              admin.withDatabase("lattice_inventory"),
              settings.withRole(pgbenchRole));
    }
    print(result.createOrder(), settings.lines() + "-line orders, orders + inventory scripts");
    print(result.getOrder(), "one select, the lines joined");
  }

  private void print(PgbenchCeiling.Workload workload, String what) {
    out.printf("pgbench %s (%s):%n", workload.call(), what);
    out.printf("  %7s %10s %12s   %s%n", "clients", "tps", "mean ms", "per script (tps, mean ms)");
    for (PgbenchCeiling.Step s : workload.steps()) {
      StringBuilder parts = new StringBuilder();
      for (PgbenchOutcome p : s.processes()) {
        parts.append(String.format("%s %.0f, %.3f  ", p.script(), p.tps(), p.meanLatencyMillis()));
      }
      out.printf("  %7d %10.0f %12.3f   %s%n", s.clients(), s.tps(), s.meanLatencyMillis(), parts);
    }
    PgbenchCeiling.Step best = workload.best();
    out.printf(
        "  best: %.0f %s/s at %d clients (mean %.3f ms)%n",
        best.tps(), workload.call(), best.clients(), best.meanLatencyMillis());
  }
}
