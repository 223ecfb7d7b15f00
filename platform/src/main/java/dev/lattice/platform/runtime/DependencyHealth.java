package dev.lattice.platform.runtime;

import dev.lattice.platform.config.HealthConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a service's health true to the dependencies it cannot work without (its database, NATS):
 * every {@link HealthConfig#interval()} it runs each {@link Check} and reports the verdict — the
 * reasons of the failing checks, or none — whenever it changes, logging one line per change.
 *
 * <p><b>Bounded.</b> Each probe runs on a virtual thread of its own and gets {@link
 * HealthConfig#timeout()}; one that has not returned by then has failed and is interrupted (which
 * closes a socket it is blocked on). A probe still running at the next round is not started again
 * and counts as failed, so a hanging driver can neither stall the monitor nor pile up threads.
 *
 * <p><b>Verdicts</b> go to {@code onChange} on the monitor's thread: the reasons of the failing
 * checks joined with {@code "; "} in check order ({@code database unreachable; NATS disconnected}),
 * or empty when every check passes. The first round reports only a failure, since a server starts
 * {@code SERVING}.
 *
 * <p>Runs from {@link #start} until {@link #close()}; thread-safe.
 */
public final class DependencyHealth implements AutoCloseable {

  /** One dependency's check: returns when the dependency is usable, throws when it is not. */
  @FunctionalInterface
  public interface Probe {
    /**
     * @throws Exception when the dependency is not usable; the message is logged, never shown to
     *     callers
     */
    void check() throws Exception;
  }

  /**
   * A dependency to watch.
   *
   * @param name for logs ({@code database})
   * @param reason what health says while the probe fails ({@code database unreachable}): a short
   *     phrase, no SQL, stack trace or class name
   * @param probe the check; called from one thread at a time
   */
  public record Check(String name, String reason, Probe probe) {
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(probe, "probe");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(DependencyHealth.class);

  private final String service;
  private final HealthConfig config;
  private final List<Check> checks;
  private final List<AtomicBoolean> running;
  private final Consumer<Optional<String>> onChange;
  private final ExecutorService probes;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread loop;

  private DependencyHealth(
      String service,
      HealthConfig config,
      List<Check> checks,
      Consumer<Optional<String>> onChange,
      ExecutorService probes) {
    this.service = service;
    this.config = config;
    this.checks = List.copyOf(checks);
    this.running = this.checks.stream().map(c -> new AtomicBoolean()).toList();
    this.onChange = onChange;
    this.probes = probes;
    this.loop = Thread.ofVirtual().name("health-" + service).unstarted(this::run);
  }

  /**
   * Starts watching; the first round runs at once.
   *
   * @param service the service's name, for logs and thread names
   * @param onChange receives each new verdict: the reason to report {@code NOT_SERVING} with, or
   *     empty for {@code SERVING}
   */
  public static DependencyHealth start(
      String service,
      HealthConfig config,
      List<Check> checks,
      Consumer<Optional<String>> onChange) {
    return start(
        service,
        config,
        checks,
        onChange,
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("health-probe-" + service + "-", 0).factory()));
  }

  /** As {@link #start(String, HealthConfig, List, Consumer)}, the probes run by {@code probes}. */
  static DependencyHealth start(
      String service,
      HealthConfig config,
      List<Check> checks,
      Consumer<Optional<String>> onChange,
      ExecutorService probes) {
    DependencyHealth health =
        new DependencyHealth(
            Objects.requireNonNull(service, "service"),
            Objects.requireNonNull(config, "config"),
            checks,
            Objects.requireNonNull(onChange, "onChange"),
            probes);
    health.loop.start();
    return health;
  }

  /** Stops watching and interrupts a probe still running; reports nothing more. Idempotent. */
  @Override
  public void close() {
    stop.countDown();
    probes.shutdownNow();
    try {
      loop.join(config.timeout().plusSeconds(1));
      probes.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    String reported = null; // the server starts SERVING
    try {
      do {
        List<String> reasons = new ArrayList<>();
        List<String> details = new ArrayList<>();
        round(reasons, details);
        String verdict = reasons.isEmpty() ? null : String.join("; ", new LinkedHashSet<>(reasons));
        if (stop.getCount() == 0) {
          return; // closed meanwhile: a verdict now could race the drain's own
        }
        if (!Objects.equals(verdict, reported)) {
          if (verdict == null) {
            log.info("{} SERVING again: every dependency answers", service);
          } else {
            log.warn("{} NOT_SERVING: {} ({})", service, verdict, String.join("; ", details));
          }
          try {
            onChange.accept(Optional.ofNullable(verdict));
            reported = verdict;
          } catch (RuntimeException e) { // a bug where it goes: keep watching, report it again
            log.error("{}: reporting health failed; trying again next round", service, e);
          }
        }
      } while (!stop.await(config.interval().toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      // close(): stop watching
    }
  }

  /** Runs every check at once; a failing one adds its reason and a detail for the log. */
  private void round(List<String> reasons, List<String> details) throws InterruptedException {
    long deadline = System.nanoTime() + config.timeout().toNanos();
    List<Future<?>> started = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      started.add(launch(i));
    }
    for (int i = 0; i < checks.size(); i++) {
      Check check = checks.get(i);
      Future<?> probe = started.get(i);
      if (probe == null) {
        reasons.add(check.reason());
        details.add(check.name() + ": the previous check has not returned");
        continue;
      }
      try {
        probe.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        reasons.add(check.reason());
        details.add(check.name() + ": " + describe(e.getCause()));
      } catch (TimeoutException e) {
        probe.cancel(true);
        reasons.add(check.reason());
        details.add(check.name() + ": no answer within " + format(config.timeout()));
      }
    }
  }

  /**
   * Starts check {@code i} on a virtual thread, or returns null while its last run goes on. The
   * check's slot is freed by whoever ends the run first: the probe when it returns, or the
   * cancellation of a run that never began. A virtual thread not yet scheduled when the round's
   * timeout cancels its task (a starved CPU) is never run by its {@link FutureTask}; freed only by
   * the probe's own {@code finally}, the slot stayed taken and the service {@code NOT_SERVING}
   * ("the previous check has not returned") for good, as a chaos run on a loaded machine showed.
   */
  private Future<?> launch(int i) {
    AtomicBoolean busy = running.get(i);
    if (!busy.compareAndSet(false, true)) {
      return null;
    }
    AtomicBoolean claimed = new AtomicBoolean();
    FutureTask<Void> task =
        new FutureTask<>(
            () -> {
              if (!claimed.compareAndSet(false, true)) {
                return null; // cancelled before it began: the cancellation freed the slot
              }
              try {
                checks.get(i).probe().check();
                return null;
              } finally {
                busy.set(false);
              }
            }) {
          @Override
          protected void done() {
            if (isCancelled() && claimed.compareAndSet(false, true)) {
              busy.set(false);
            }
          }
        };
    try {
      probes.execute(task);
      return task;
    } catch (RejectedExecutionException e) { // closing: the round's verdict is dropped
      busy.set(false);
      return null;
    }
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  private static String format(Duration duration) {
    return duration.toMillis() + " ms";
  }
}
