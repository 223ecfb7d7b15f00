package dev.lattice.chaos;

import dev.lattice.local.NatsCluster;
import dev.lattice.local.NatsServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Does the faults of a run and times the recovery from each. Recovery means: for a killed, frozen
 * or restarted replica, its JVM serving again; for the broker, the database and the card processor,
 * every instance serving again and a checkout begun after the fault's end paid (the whole saga
 * works again, not only the health checks). Records every fault; thread-safe (kills of different
 * services run side by side).
 */
final class FaultInjector {

  /** The longest a recovery is waited for before the fault is reported as not recovered. */
  static final Duration PATIENCE = Duration.ofMinutes(6);

  final List<FaultRecord> faults = Collections.synchronizedList(new ArrayList<>());
  private final Instances instances;
  private final OwnedServers servers;
  private final CardProcessor cardProcessor;
  private final Checkouts load;
  private final long origin;
  private volatile long lastFaultEnd;

  FaultInjector(
      Instances instances,
      OwnedServers servers,
      CardProcessor cardProcessor,
      Checkouts load,
      long originNanos) {
    this.instances = instances;
    this.servers = servers;
    this.cardProcessor = cardProcessor;
    this.load = load;
    this.origin = originNanos;
  }

  /** When the last fault ended (System.nanoTime()). */
  long lastFaultEnd() {
    return lastFaultEnd;
  }

  /** SIGKILL of a random serving copy of {@code service}; recovered when the fleet has it back. */
  void killReplica(String service) throws InterruptedException {
    String instance = pickServing(service);
    ProcessHandle victim = instances.process(instance).orElseThrow();
    long start = System.nanoTime();
    victim.destroyForcibly(); // SIGKILL
    victim.onExit().join();
    long end = System.nanoTime();
    boolean back = instances.awaitBack(instance, victim, PATIENCE);
    record("kill -9 replica", instance, start, end, back ? System.nanoTime() : -1);
  }

  /** SIGKILL of one nats-server, started again after {@code down}. */
  void killNatsNode(Duration down) throws InterruptedException {
    NatsCluster cluster = servers.nats;
    int index = ThreadLocalRandom.current().nextInt(cluster.members().size());
    NatsServer member = cluster.member(index);
    long start = System.nanoTime();
    member.kill();
    Thread.sleep(down);
    member.restart();
    cluster.awaitMetaLeader(Duration.ofSeconds(60));
    long end = System.nanoTime();
    record("kill -9 NATS node, restart", "nats-" + (index + 1), start, end, awaitWhole(end));
  }

  /** Every nats-server stopped (SIGTERM) for {@code outage}, then all started again. */
  void natsOutage(Duration outage) throws InterruptedException {
    NatsCluster cluster = servers.nats;
    long start = System.nanoTime();
    cluster.members().forEach(NatsServer::stop);
    Thread.sleep(outage);
    // Side by side: a member alone has no JetStream quorum to wait for.
    List<Thread> starts = new ArrayList<>();
    for (NatsServer member : cluster.members()) {
      starts.add(Thread.ofPlatform().start(member::restart));
    }
    for (Thread t : starts) {
      t.join();
    }
    cluster.awaitMetaLeader(Duration.ofSeconds(60));
    long end = System.nanoTime();
    record(
        "NATS outage (all nodes stopped)", outage.toSeconds() + " s", start, end, awaitWhole(end));
  }

  /** PostgreSQL stopped (fast shutdown) and started again on the same data. */
  void restartPostgres() throws InterruptedException {
    long start = System.nanoTime();
    servers.postgres.restart();
    long end = System.nanoTime();
    record("PostgreSQL restart", "postgres", start, end, awaitWhole(end));
  }

  /**
   * The card processor slow (4 s added to every call, past payments' 3 s timeout: charges are made
   * but their answers lost) and failing half its calls with 503, for {@code length}.
   */
  void cardProcessorBadDay(Duration length) throws InterruptedException, IOException {
    long start = System.nanoTime();
    cardProcessor.misbehave(4_000, 0.5);
    try {
      Thread.sleep(length);
    } finally {
      cardProcessor.misbehave(0, 0);
    }
    long end = System.nanoTime();
    record(
        "card processor slow (+4 s) and failing (50% 503)",
        length.toSeconds() + " s", start, end, awaitWhole(end));
  }

  /** A random copy of {@code service} stopped with SIGSTOP for {@code length}, then SIGCONT. */
  void freezeReplica(String service, Duration length) throws InterruptedException, IOException {
    String instance = pickServing(service);
    ProcessHandle frozen = instances.process(instance).orElseThrow();
    long start = System.nanoTime();
    signal(frozen, "STOP");
    try {
      Thread.sleep(length);
    } finally {
      signal(frozen, "CONT");
    }
    long end = System.nanoTime();
    boolean back = awaitTrue(() -> instances.serving(instance));
    record("SIGSTOP replica, SIGCONT", instance, start, end, back ? System.nanoTime() : -1);
  }

  /**
   * Every copy of every replicated service in turn: SIGTERM (health NOT_SERVING, drain, exit 0),
   * the fleet starts it again, and the next goes once it serves.
   *
   * @return when the rolling restart began and ended (System.nanoTime())
   */
  long[] rollingRestart() throws InterruptedException {
    long begin = System.nanoTime();
    for (String service : Instances.REPLICATED) {
      for (String instance : instances.copiesOf(service)) {
        ProcessHandle old = instances.process(instance).orElseThrow();
        long start = System.nanoTime();
        old.destroy(); // SIGTERM
        boolean exited =
            old.onExit()
                    .completeOnTimeout(
                        null, PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                    .join()
                != null;
        long end = System.nanoTime();
        boolean back = exited && instances.awaitBack(instance, old, PATIENCE);
        record("rolling restart (SIGTERM)", instance, start, end, back ? System.nanoTime() : -1);
      }
    }
    return new long[] {begin, System.nanoTime()};
  }

  private String pickServing(String service) throws InterruptedException {
    List<String> copies = new ArrayList<>(instances.copiesOf(service));
    Collections.shuffle(copies);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      for (String copy : copies) {
        Optional<ProcessHandle> process = instances.process(copy);
        if (process.isPresent() && instances.serving(copy)) {
          return copy;
        }
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("no copy of " + service + " serves");
  }

  /** Every instance serving and a checkout begun after {@code since} paid: the time, or -1. */
  private long awaitWhole(long since) throws InterruptedException {
    return awaitTrue(() -> load.paidSince(since) && instances.allServing())
        ? System.nanoTime()
        : -1;
  }

  private static boolean awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  private void record(String kind, String target, long start, long end, long recovered) {
    faults.add(
        new FaultRecord(
            kind,
            target,
            seconds(start - origin),
            seconds(end - origin),
            recovered < 0 ? -1 : seconds(recovered - end)));
    synchronized (this) {
      lastFaultEnd = Math.max(lastFaultEnd, end);
    }
    System.out.printf(
        "chaos: %s %s at %.0f s, %s%n",
        kind,
        target,
        seconds(start - origin),
        recovered < 0
            ? "NOT recovered"
            : String.format("recovered in %.1f s", seconds(recovered - end)));
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void signal(ProcessHandle process, String signal)
      throws IOException, InterruptedException {
    int exit =
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
            .inheritIO()
            .start()
            .waitFor();
    if (exit != 0) {
      throw new IOException("kill -" + signal + " " + process.pid() + " exited with " + exit);
    }
  }
}
