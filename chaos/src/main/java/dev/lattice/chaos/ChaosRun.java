package dev.lattice.chaos;

import dev.lattice.bench.Mesh;
import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One chaos run: the servers and the mesh started in a fresh folder, the products stocked, the
 * checkout load started, the faults of the plan done in order while it runs, the load stopped, the
 * invariants checked, everything stopped. What it found is a {@link ChaosResult}.
 */
final class ChaosRun {

  /** Load after the last fault, so that the report shows checkouts on the healed mesh too. */
  private static final Duration TAIL = Duration.ofSeconds(10);

  private final ChaosPlan plan;
  private final Path jar;
  private final int portOffset;
  private final List<String> serviceJvmOptions;

  ChaosRun(ChaosPlan plan, Path jar, int portOffset, List<String> serviceJvmOptions) {
    this.plan = plan;
    this.jar = jar;
    this.portOffset = portOffset;
    this.serviceJvmOptions = List.copyOf(serviceJvmOptions);
  }

  /** Up's options: separate processes, two replicas, and the service JVMs' own options. */
  private List<String> upOptions() {
    List<String> options =
        new ArrayList<>(List.of("--processes", "--replicas", "2", "--ready-timeout", "600"));
    serviceJvmOptions.forEach(option -> options.add("--service-jvm-option=" + option));
    return options;
  }

  ChaosResult run() throws Exception {
    Instant began = Instant.now();
    long wallStart = System.nanoTime();
    Path root = Files.createTempDirectory("lattice-chaos-");
    System.out.printf("chaos: %s run in %s (port offset %d)%n", plan.name(), root, portOffset);
    ChaosResult result = new ChaosResult(plan, began);
    try (OwnedServers servers = OwnedServers.start(root, portOffset)) {
      long meshStart = System.nanoTime();
      try (Mesh mesh =
          Mesh.start(
              jar,
              root,
              portOffset,
              256,
              List.of(),
              upOptions(),
              servers.meshEnvironment(),
              Duration.ofMinutes(11))) {
        result.setting("mesh start (s)", seconds(System.nanoTime() - meshStart));
        Instances instances = new Instances(mesh);
        try (Connection checks = connect(servers);
            OrderWatch watch = new OrderWatch(connect(servers));
            Shop shop = new Shop(instances, mesh.adminEmail(), mesh.adminPassword())) {
          describeMesh(result, instances, checks);
          shop.stock(plan.products(), plan.scarceStock());
          CardProcessor cardProcessor = new CardProcessor(9210 + portOffset, mesh.providerApiKey());
          long origin = System.nanoTime();
          Checkouts load = Checkouts.start(shop, watch, plan.customers(), plan.cancelEvery());
          FaultInjector faults = new FaultInjector(instances, servers, cardProcessor, load, origin);
          long[] rolling;
          try {
            Thread.sleep(plan.warmUp());
            rolling = inject(faults);
            Thread.sleep(TAIL);
          } finally {
            System.out.println("chaos: stopping the load");
            load.stop();
          }
          long loadStopped = System.nanoTime();
          result.faults.addAll(faults.faults);
          result.loadSeconds = seconds(System.nanoTime() - origin);
          result.requests(load, rolling);
          result.invariants.add(drained(root, instances));
          System.out.println("chaos: checking the invariants");
          Invariants invariants = new Invariants(servers, shop, load, cardProcessor, checks);
          try {
            invariants.check(faults.lastFaultEnd(), loadStopped);
          } catch (Exception e) { // reported as a missed invariant, with what stopped it
            e.printStackTrace(System.out);
            result.figures.put("checks stopped by", e.toString());
            result.invariants.add(
                new Invariant(
                    "checks_not_completed", "invariant checks that could not finish", 1, 0));
          }
          result.invariants.addAll(invariants.results);
          result.figures.putAll(invariants.figures);
        }
      }
    }
    result.wallSeconds = seconds(System.nanoTime() - wallStart);
    if (result.allMet()) {
      deleteTree(root);
    } else {
      System.out.println("chaos: the run's folder (logs) is kept: " + root);
      result.setting("folder", root.toString());
    }
    return result;
  }

  /** The faults of the plan, in order; returns when the rolling restart began and ended. */
  private long[] inject(FaultInjector faults) throws Exception {
    List<Thread> killers = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (String service : Instances.REPLICATED) {
      killers.add(
          Thread.ofPlatform()
              .name("kill-" + service)
              .start(
                  () -> {
                    try {
                      for (int k = 0; k < plan.killsPerService(); k++) {
                        faults.killReplica(service);
                        Thread.sleep(plan.pauseBetweenKills());
                      }
                    } catch (Exception e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : killers) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.getFirst();
    }
    faults.killNatsNode(Duration.ofSeconds(5));
    faults.natsOutage(plan.natsOutage());
    faults.restartPostgres();
    faults.cardProcessorBadDay(plan.sandboxBadDay());
    List<String> replicated = Instances.REPLICATED;
    faults.freezeReplica(
        replicated.get(ThreadLocalRandom.current().nextInt(replicated.size())), plan.freeze());
    return faults.rollingRestart();
  }

  /**
   * Every copy drained on its SIGTERM of the rolling restart: its log says it went NOT_SERVING and
   * drained before its server stopped, and the fleet saw it exit with 0.
   */
  private static Invariant drained(Path root, Instances instances) throws Exception {
    long undrained = 0;
    for (String service : Instances.REPLICATED) {
      for (String instance : instances.copiesOf(service)) {
        String log = Files.readString(root.resolve(".lattice/logs/" + instance + ".log"));
        int draining = log.lastIndexOf(service + " draining");
        int stopped = log.lastIndexOf(service + " gRPC server stopped");
        if (draining < 0
            || stopped < draining
            || !log.contains("mesh: " + instance + " exited with 0; starting it again")) {
          undrained++;
        }
      }
    }
    return new Invariant(
        "rolling_restart_undrained",
        "copies whose SIGTERM did not drain (NOT_SERVING, in-flight calls done, exit 0)",
        undrained,
        0);
  }

  private void describeMesh(ChaosResult result, Instances instances, Connection nats)
      throws Exception {
    Map<String, String> jvms = new LinkedHashMap<>();
    for (String instance : instances.ports().keySet()) {
      jvms.put(
          instance,
          instances.process(instance).map(p -> "pid " + p.pid()).orElse("none")
              + ", port "
              + instances.ports().get(instance));
    }
    result.setting("service JVMs", jvms);
    JetStreamManagement jsm = nats.jetStreamManagement();
    Map<String, Integer> replicas = new LinkedHashMap<>();
    for (String service : StreamEvents.SERVICES) {
      String stream = EventSubjects.streamName(service);
      replicas.put(stream, jsm.getStreamInfo(stream).getConfiguration().getReplicas());
    }
    result.setting("stream replicas", replicas);
    long jvmCount = jvms.values().stream().filter(v -> v.startsWith("pid")).count();
    long threeReplicas = replicas.values().stream().filter(r -> r == 3).count();
    result.invariants.add(
        new Invariant(
            "mesh_shape_missing",
            "service JVMs missing of 9, plus streams not at 3 replicas",
            (instances.ports().size() - jvmCount) + (replicas.size() - threeReplicas),
            0));
  }

  private static Connection connect(OwnedServers servers) throws Exception {
    return Nats.connect(
        new Options.Builder()
            .servers(servers.nats.urls().split(","))
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(500))
            .connectionTimeout(Duration.ofSeconds(5))
            // The broker's outages are the run's own doing: no stack of "connection refused".
            .errorListener(new ErrorListener() {})
            .build());
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e8) / 10.0;
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
