package dev.lattice.bench;

import io.nats.client.Connection;
import io.nats.client.Nats;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh bench}: starts the mesh as {@code ./mesh up} runs it in a fresh folder, seeds the
 * data set, runs the scenarios (the saga first, then, with every consumer paused, CreateOrder, the
 * reads and the retry storm), measures the ceilings in the same run, and writes {@code
 * bench/results/<date>.md}, {@code .json} and the latency chart.
 */
@Command(
    name = "lattice-bench",
    mixinStandardHelpOptions = true,
    description = "Drives the mesh and reports every figure beside its same-run ceiling.")
public final class BenchMain implements Callable<Integer> {

  @Option(names = "--quick", description = "Short rows and a small data set: a smoke run.")
  boolean quick;

  @Option(
      names = "--saga-only",
      description =
          "Only the warm-up, the saga's drain and its sustained rate (for profiling the saga);"
              + " results go to bench/target/results.")
  boolean sagaOnly;

  @Option(
      names = "--saga-curve-only",
      description =
          "The warm-up, the sustained saga rate and the saga curve (CreateOrder at fractions of"
              + " that rate, everything running; for profiling the saga at partial load); results"
              + " go to bench/target/results.")
  boolean sagaCurveOnly;

  @Option(
      names = "--saga-curve-at",
      description =
          "With --saga-curve-only: draws the saga curve at fractions of this rate (orders/s)"
              + " instead of searching for the sustained rate first (for profiling at a known"
              + " load).")
  Double sagaCurveAt;

  @Option(
      names = "--reads-only",
      description =
          "Only the warm-up and the GetOrder rows, the consumers paused (for profiling reads);"
              + " results go to bench/target/results.")
  boolean readsOnly;

  @Option(
      names = "--creates-only",
      description =
          "Only the warm-up and the CreateOrder rows, the consumers paused (for profiling"
              + " CreateOrder); results go to bench/target/results.")
  boolean createsOnly;

  @Option(
      names = "--catalog-only",
      description =
          "Only the catalog rows: SearchProducts at 10,000 and 100,000 products (quick: 1,000 and"
              + " 3,000) beside GetProduct, the index lag while seeding, CreateUpload.")
  boolean catalogOnly;

  @Option(
      names = "--row-seconds",
      description = "Overrides the length of a recorded row (for profiling).")
  Integer rowSeconds;

  @Option(
      names = "--project",
      description = "The Lattice checkout (finds launcher/target/lattice-mesh.jar).",
      defaultValue = ".")
  Path project;

  @Option(
      names = "--out",
      description =
          "Where the results go (default: bench/results of the checkout; quick runs: target).")
  Path out;

  @Option(
      names = "--port-offset",
      description = "Added to the mesh's default ports (default: ${DEFAULT-VALUE}).",
      defaultValue = "7000")
  int portOffset;

  @Option(
      names = "--heap",
      description = "The mesh JVM's heap in MiB: the memory target (default: ${DEFAULT-VALUE}).",
      defaultValue = "512")
  int heapMiB;

  @Option(
      names = "--mesh-jvm-flag",
      description = "An extra flag for the mesh's JVM (repeatable), e.g. -XX:AOTCache=...")
  List<String> meshJvmFlags = new ArrayList<>();

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Scenarios.Settings settings =
        quick ? Scenarios.Settings.quickRun() : Scenarios.Settings.fullRun();
    if (rowSeconds != null) {
      settings = settings.withRow(Duration.ofSeconds(rowSeconds));
    }
    Path checkout = project.toAbsolutePath().normalize();
    Path jar = checkout.resolve("launcher/target/lattice-mesh.jar");
    Path results =
        out != null
            ? out
            : checkout.resolve(
                quick
                        || sagaOnly
                        || sagaCurveOnly
                        || readsOnly
                        || createsOnly
                        || catalogOnly
                        || rowSeconds != null
                    ? "bench/target/results"
                    : "bench/results");
    Path root = Files.createTempDirectory("lattice-bench-");
    Report report = new Report();
    describe(report, settings, checkout);
    System.out.printf("bench: starting the mesh in %s (heap %d MiB)%n", root, heapMiB);
    try (Mesh mesh = Mesh.start(jar, root, portOffset, heapMiB, meshJvmFlags);
        Connection nats = Nats.connect(mesh.natsUrl());
        Channels identity = new Channels(mesh.port("identity"), 2);
        Channels orders = new Channels(mesh.port("orders"), 4);
        Channels inventory = new Channels(mesh.port("inventory"), 2);
        EventWatch watch = new EventWatch(nats);
        DataSet data = DataSet.seed(mesh, identity, inventory, nats, settings.size())) {
      report.settings.put(
          "data set",
          data.tenants.size()
              + " tenants (one "
              + settings.size().bigFactor()
              + "x the others), "
              + data.customerCount()
              + " customers, "
              + data.productCount()
              + " products, Zipf popularity");
      Scenarios scenarios =
          new Scenarios(
              settings, mesh, data, orders, inventory, watch, report, nats.jetStreamManagement());
      CatalogBench catalog =
          new CatalogBench(settings, mesh, data, inventory, nats.jetStreamManagement(), report);
      if (catalogOnly) {
        catalog.run();
        report.write(results, LocalDate.now() + "-catalog");
        return 0;
      }
      // Everything running: the saga, notifications (to the mail catcher), audit.
      scenarios.warmUpAndDrain();
      if (readsOnly) {
        new ConsumerSwitch(mesh).pauseAll();
        scenarios.getOrder();
        report.write(results, LocalDate.now() + "-reads");
        return 0;
      }
      if (createsOnly) {
        new ConsumerSwitch(mesh).pauseAll();
        scenarios.createOrderClosed();
        scenarios.createOrderCurve();
        report.write(results, LocalDate.now() + "-creates");
        return 0;
      }
      if (sagaCurveAt != null) {
        if (!sagaCurveOnly) {
          throw new CommandLine.ParameterException(
              new CommandLine(this), "--saga-curve-at needs --saga-curve-only");
        }
        scenarios.assumeSustained(sagaCurveAt);
      } else {
        scenarios.sustainedSaga();
      }
      if (sagaOnly) {
        report.write(results, LocalDate.now() + "-saga");
        return 0;
      }
      scenarios.sagaCurve();
      if (sagaCurveOnly) {
        report.write(results, LocalDate.now() + "-saga-curve");
        return 0;
      }
      scenarios.hotProduct();
      // Every consumer paused: CreateOrder and the reads alone, JetStream keeping the events.
      int paused = new ConsumerSwitch(mesh).pauseAll();
      report.settings.put(
          "consumers during the CreateOrder and read rows",
          paused + " paused through OperationsService.PauseConsumers");
      scenarios.createOrderClosed();
      scenarios.createOrderCurve();
      scenarios.replay();
      double getMax = scenarios.getOrder();
      scenarios.edgeVersusGrpc();
      scenarios.retryStorm();
      // The catalog's rows last (their seeding and searches load the box, which the rows above
      // must not see), with the search index's consumers resumed to follow the seeding; the
      // others stay paused, their backlog kept out of the catalog's figures.
      new ConsumerSwitch(mesh)
          .resume("inventory", List.of("inventory-search", "inventory-search-tenants"));
      catalog.run();
      Ceilings.measure(
          report,
          mesh,
          settings,
          scenarios.createMax(),
          getMax,
          scenarios.sagaSustained(),
          scenarios.createCpuMillis());
      Mesh.GcSummary gc = mesh.gc();
      report.memory.put("mesh heap (-Xmx)", heapMiB + " MiB");
      report.memory.put("GC pauses", gc.collections());
      report.memory.put("full GCs", gc.fullCollections());
      report.memory.put("largest heap after a GC", gc.maxHeapAfterGcMiB() + " MiB");
      report.targets.add(
          Report.Target.below(
              "full GCs of the six services in one JVM at " + heapMiB + " MiB heap",
              gc.fullCollections(),
              1,
              "GCs",
              "largest heap after a GC " + gc.maxHeapAfterGcMiB() + " MiB over the whole run"));
    }
    String name = LocalDate.now() + (quick ? "-quick" : "");
    report.write(results, name);
    System.out.println();
    System.out.print(report.targetsTable());
    System.out.printf(
        "%nbench: results in %s/%s.{md,json} and %s-latency.png%n", results, name, name);
    return 0;
  }

  private static void describe(Report report, Scenarios.Settings settings, Path checkout)
      throws Exception {
    report.machine.put("cores", Runtime.getRuntime().availableProcessors());
    report.machine.put(
        "memory",
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize()
                / (1024 * 1024 * 1024)
            + " GiB");
    report.machine.put(
        "os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.machine.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    report.machine.put(
        "load average at start",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    report.machine.put("commit", git(checkout));
    report.settings.put("quick", settings.quick());
    report.settings.put(
        "row",
        settings.row().toSeconds()
            + " s recorded after "
            + settings.warmup().toSeconds()
            + " s warm-up");
    report.settings.put("first warm-up", settings.firstWarmup().toSeconds() + " s, not recorded");
    report.settings.put("sustain window", settings.sustain().toSeconds() + " s");
    report.settings.put("card", "tok_visa through the sandbox processor (20-80 ms per call)");
    report.settings.put("nats", "own nats-server, fsync on every write (sync_interval: always)");
    report.settings.put("driver", "its own JVM, async gRPC stubs, HdrHistogram");
  }

  private static String git(Path checkout) {
    try {
      Process p =
          new ProcessBuilder("git", "-C", checkout.toString(), "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String rev = new String(p.getInputStream().readAllBytes()).strip();
      return p.waitFor() == 0 ? rev : "unknown";
    } catch (Exception e) {
      return "unknown";
    }
  }
}
