package dev.lattice.mesh;

import dev.lattice.edge.Edge;
import dev.lattice.edge.EdgeConfig;
import dev.lattice.local.MailCatcher;
import dev.lattice.local.ZipkinServer;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.grpc.GracefulShutdown;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.sandbox.CardProcessorSandbox;
import dev.lattice.sandbox.SandboxConfig;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh up}: provisions PostgreSQL and NATS, creates each service's database, starts the
 * six services, waits until every health check says SERVING, then opens the local edge (JSON and
 * gRPC-Web on port 8080), prints where everything is, and runs until SIGINT (Ctrl-C) or SIGTERM
 * ({@code ./mesh down}).
 *
 * <p>One mesh per project folder: {@link MeshLock} refuses a second {@code up} before it touches
 * anything, and clears the state a killed mesh left behind.
 *
 * <p>With {@code --traces} it also runs Zipkin's server (in memory, port 9411 plus the offset) and
 * points every service's span exporter at it ({@code OTEL_TRACES_EXPORTER=zipkin}); Zipkin starts
 * first, alongside PostgreSQL and NATS, and the services start once it answers.
 *
 * <p>The stop has one owner, this command, and one order: the edge and the services stop accepting
 * and drain their calls together; each service then stops its consumers and flushes its outbox
 * relay while NATS and PostgreSQL are still up, and its last spans; then the sandbox and the mail
 * catcher stop, then NATS and PostgreSQL (started in sessions of their own, so the terminal's
 * Ctrl-C reaches only this process), then Zipkin, then the state file goes. A second Ctrl-C stops
 * at once; the servers' watchdogs then stop NATS, PostgreSQL and Zipkin.
 */
@Command(
    name = "up",
    description =
        "Starts PostgreSQL, NATS, the six services and the edge; Ctrl-C drains and stops (twice: at once).")
final class UpCommand implements Callable<Integer> {

  @Option(
      names = "--root",
      description = "The project folder (holds .lattice/).",
      defaultValue = ".")
  Path root;

  @Option(names = "--processes", description = "One JVM per service instead of one JVM for all.")
  boolean processes;

  @Option(
      names = "--replicas",
      description =
          "Copies each of orders, inventory and payments, with --processes (default: ${DEFAULT-VALUE}); replica r listens on the service's port + 10 r.",
      defaultValue = "1")
  int replicas;

  @Option(
      names = "--service-jvm-option",
      paramLabel = "OPTION",
      description =
          "An option for every service JVM, with --processes (repeatable; write it with '=', as in --service-jvm-option=-Xmx256m).")
  List<String> serviceJvmOptions = new ArrayList<>();

  @Option(
      names = "--nats-cluster",
      description =
          "Run NATS as a JetStream cluster of three nats-servers (ports 54222-54224) with every stream at three replicas.")
  boolean natsCluster;

  @Option(
      names = "--port-offset",
      description =
          "Added to every default port (edge 8080, identity 9101 ... audit 9106, PostgreSQL 55432, NATS 54222, Zipkin 9411).",
      defaultValue = "0")
  int portOffset;

  @Option(
      names = "--traces",
      description =
          "Also run Zipkin (traces in memory, UI on port 9411) and send every service's spans to it.")
  boolean traces;

  @Option(
      names = "--ready-timeout",
      description = "Seconds to wait for SERVING (default: ${DEFAULT-VALUE}).",
      defaultValue = "120")
  int readyTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    Path rootDir = root.toAbsolutePath().normalize();
    Optional<MeshLock> lock = MeshLock.tryAcquire(rootDir);
    if (lock.isEmpty()) {
      System.err.println(
          "mesh: already running from "
              + rootDir
              + " ("
              + MeshState.read(rootDir)
                  .map(MeshState::describe)
                  .orElse("pid " + MeshLock.holder(rootDir) + ", starting")
              + "); ./mesh status shows it, ./mesh down stops it");
      return 1;
    }
    Optional<MeshState> stale = MeshState.read(rootDir);
    if (stale.isPresent()) {
      MeshState.delete(rootDir);
      System.out.printf(
          "mesh: the mesh last started here (pid %d) was killed; cleared what it left%n",
          stale.get().pid());
    }
    GracefulShutdown shutdown = GracefulShutdown.install("mesh").forceOnSecondSignal();
    try {
      return run(rootDir, shutdown, lock.get(), started);
    } catch (Exception | Error e) {
      shutdown.closeAll(); // before the JVM's exit, whose hooks would race each other
      throw e;
    }
  }

  private int run(Path rootDir, GracefulShutdown shutdown, MeshLock lock, long started)
      throws Exception {
    Map<String, String> env = System.getenv();
    if (replicas > 1 && !processes) {
      System.err.println("mesh: --replicas needs --processes (one JVM per copy)");
      return 2;
    }
    if (!serviceJvmOptions.isEmpty() && !processes) {
      System.err.println(
          "mesh: --service-jvm-option needs --processes (the services otherwise run in this JVM)");
      return 2;
    }
    ReplicaPlan plan = new ReplicaPlan(replicas, portOffset);
    // Closed in reverse: the state file and the lock go last, once everything has stopped.
    shutdown.register(
        "mesh state",
        () -> {
          MeshState.delete(rootDir);
          lock.close();
          System.out.println("mesh: stopped.");
        });
    // Zipkin takes seconds to start: it starts first and is awaited once PostgreSQL and NATS are
    // up; it stops after them, so the services' last spans still reach it.
    Optional<ZipkinServer> zipkin =
        traces ? Optional.of(shutdown.register("Zipkin", launchZipkin(rootDir))) : Optional.empty();
    Infrastructure infra =
        shutdown.register(
            "PostgreSQL and NATS",
            Infrastructure.provision(
                rootDir, env, 55432 + portOffset, 54222 + portOffset, natsCluster));
    zipkin.ifPresent(ZipkinServer::awaitReady);
    ServiceFleet fleet =
        processes ? new ProcessFleet(rootDir, serviceJvmOptions) : new InProcessFleet();
    AtomicReference<Edge> edgeRef = new AtomicReference<>();
    MeshSecrets secrets = MeshSecrets.loadOrCreate(rootDir);
    // The card processor's sandbox stands in for the outside world: its own HTTP service, which
    // payments calls and which calls payments' webhook endpoint back.
    int webhookPort = 9204 + portOffset;
    Map<String, String> sandboxEnv = new HashMap<>(env);
    sandboxEnv.putIfAbsent("LATTICE_SANDBOX_HTTP_PORT", Integer.toString(9210 + portOffset));
    sandboxEnv.putIfAbsent("LATTICE_SANDBOX_API_KEY", secrets.providerApiKey());
    sandboxEnv.putIfAbsent(
        "LATTICE_SANDBOX_WEBHOOK_URL", "http://127.0.0.1:" + webhookPort + "/v1/payments/webhook");
    sandboxEnv.putIfAbsent("LATTICE_SANDBOX_WEBHOOK_SECRET", secrets.webhookSecret());
    CardProcessorSandbox sandbox =
        shutdown.register(
            "card sandbox", CardProcessorSandbox.start(SandboxConfig.fromEnv(Env.of(sandboxEnv))));
    // Notifications' email goes to a local SMTP catcher whose messages land in .lattice/mail/.
    MailCatcher mail =
        shutdown.register(
            "mail catcher", MailCatcher.start(rootDir, MailCatcher.DEFAULT_PORT + portOffset));
    // Product media's object storage and virus scanner (decision 0023).
    MediaServers media =
        shutdown.register(
            "object storage and scanner",
            MediaServers.start(
                rootDir, env, secrets, portOffset, Duration.ofSeconds(readyTimeoutSeconds)));
    shutdown.register("services and edge", () -> drain(fleet, edgeRef.get()));
    Map<String, Integer> ports = new LinkedHashMap<>();
    Map<String, String> targets = new LinkedHashMap<>();
    for (ServiceModule module : ServiceCatalog.MODULES) {
      targets.put(module.name(), plan.target(module));
    }
    ServiceEnvironment environment =
        new ServiceEnvironment(
            infra,
            secrets,
            sandbox.baseUrl(),
            webhookPort,
            mail,
            zipkin,
            targets,
            portOffset,
            media.inventoryEnv());
    for (ServiceModule module : ServiceCatalog.MODULES) {
      String database = ServiceCatalog.databaseOf(module);
      infra.ensureDatabase(database);
      for (ReplicaPlan.Instance instance : plan.instances(module)) {
        Map<String, String> serviceEnv = environment.forService(env, module);
        serviceEnv.put("LATTICE_GRPC_PORT", Integer.toString(instance.port()));
        if (instance.replica() > 0) {
          // The sandbox calls back the first copy's webhook port; the others listen on any port.
          serviceEnv.put("LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT", "0");
        }
        fleet.start(instance.name(), module, serviceEnv);
        ports.put(instance.name(), instance.port());
      }
    }
    for (var entry : ports.entrySet()) {
      if (!HealthProbe.awaitServing(entry.getValue(), Duration.ofSeconds(readyTimeoutSeconds))) {
        System.err.printf(
            "mesh: %s did not become SERVING on port %d within %d s (see .lattice/logs)%n",
            entry.getKey(), entry.getValue(), readyTimeoutSeconds);
        shutdown.closeAll();
        return 1;
      }
    }
    Edge edge = Edge.start(EdgeConfig.fromEnv(Env.of(edgeEnv(env, targets))));
    edgeRef.set(edge);
    new MeshState(ProcessHandle.current().pid(), ports, edge.port()).write(rootDir);
    printTable(
        ports, infra, Duration.ofNanos(System.nanoTime() - started), mail, media, edge, zipkin);
    // Runs until a signal: the shutdown's handler drains, stops and exits.
    new CountDownLatch(1).await();
    return 0;
  }

  /**
   * The edge and the services drain together: both refuse new calls at once, and a call the edge
   * already forwarded is one of the services' in-flight calls.
   */
  private static void drain(ServiceFleet fleet, Edge edge) throws InterruptedException {
    System.out.println("\nmesh: draining (Ctrl-C again to stop at once)...");
    Thread edgeDrain =
        edge == null ? null : Thread.ofPlatform().name("drain-edge").start(edge::close);
    fleet.close();
    if (edgeDrain != null) {
      edgeDrain.join();
    }
  }

  /**
   * Launches Zipkin from the jar the launcher's build copies beside it ({@code
   * launcher/target/zipkin/}), its log in {@code .lattice/logs/zipkin.log}.
   */
  private ZipkinServer launchZipkin(Path rootDir) throws URISyntaxException {
    // The launcher runs from launcher/target/lattice-mesh.jar, or in tests from target/classes.
    Path target =
        Path.of(UpCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .getParent();
    Path jar = target.resolve("zipkin").resolve("zipkin-server.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "--traces needs Zipkin's server, which the build copies to "
              + jar
              + ": run ./mesh build");
    }
    return ZipkinServer.launch(
        new ZipkinServer.Options(
            jar,
            ZipkinServer.DEFAULT_PORT + portOffset,
            rootDir.resolve(".lattice").resolve("logs").resolve("zipkin.log"),
            Duration.ofSeconds(readyTimeoutSeconds)));
  }

  /** The edge's settings: port 8080 (shifted), every service's target; the caller's env wins. */
  private Map<String, String> edgeEnv(Map<String, String> env, Map<String, String> targets) {
    Map<String, String> edgeEnv = new HashMap<>(env);
    edgeEnv.putIfAbsent(
        "LATTICE_EDGE_HTTP_PORT", Integer.toString(EdgeConfig.DEFAULT_HTTP_PORT + portOffset));
    targets.forEach(
        (name, target) ->
            edgeEnv.put("LATTICE_" + name.toUpperCase(java.util.Locale.ROOT) + "_TARGET", target));
    return edgeEnv;
  }

  private void printTable(
      Map<String, Integer> ports,
      Infrastructure infra,
      Duration took,
      MailCatcher mail,
      MediaServers media,
      Edge edge,
      Optional<ZipkinServer> zipkin) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%nLattice is up in %.1f s (%s, pid %d)%n%n",
            took.toMillis() / 1000.0,
            processes ? "one JVM per service" : "one JVM",
            ProcessHandle.current().pid()));
    out.append(String.format("  %-15s %-6s %s%n", "service", "port", "health"));
    ports.forEach(
        (name, port) -> out.append(String.format("  %-15s %-6d %s%n", name, port, "SERVING")));
    out.append(
        String.format("  %-15s %-6d %s%n", "edge", edge.port(), "JSON and gRPC-Web for browsers"));
    zipkin.ifPresent(
        server ->
            out.append(
                String.format("  %-15s %-6d %s%n", "zipkin", server.port(), "traces, in memory")));
    out.append('\n');
    infra.describe().forEach(line -> out.append(line).append('\n'));
    int identity = ports.get("identity");
    out.append(
        String.format("%nTry:   curl -s http://localhost:%d/.well-known/jwks.json%n", edge.port()));
    // buf comes with the checkout's node packages (npm ci); grpcurl is rarely installed.
    out.append(
        String.format(
            "       npx buf curl --protocol grpc --list-services http://localhost:%d%n", identity));
    out.append(
        String.format(
            "       npx buf curl --protocol grpc http://localhost:%d/grpc.health.v1.Health/Check%n",
            identity));
    out.append("       ./mesh status      (from another terminal)\n");
    out.append("       the quick start in README.md: the whole journey with buf curl\n");
    out.append(
        "Admin: tenant \"platform\", credentials in .lattice/secrets.properties (Login on IdentityService)\n");
    out.append(
        String.format(
            "Cards: the payment sandbox on http://127.0.0.1:%d takes test tokens tok_visa,"
                + " tok_chargeDeclined, tok_async, tok_timeout, ... (docs/decisions/0008)%n",
            9210 + portOffset));
    out.append(mail.describe());
    out.append(media.describe());
    zipkin.ifPresent(
        server ->
            out.append(
                String.format(
                    "Traces: %s (Zipkin; one order is one trace: run a query for"
                        + " serviceName=lattice-orders)%n",
                    server.uiUrl().replace("127.0.0.1", "localhost"))));
    out.append("Logs:  .lattice/logs/\n");
    out.append("Stop:  Ctrl-C here, or ./mesh down\n");
    System.out.print(out);
    System.out.flush();
  }
}
