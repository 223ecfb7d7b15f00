package dev.lattice.platform.db;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a purge of rows nobody needs any more (expired idempotency keys, idle rate-limit buckets)
 * every {@code interval} on a daemon thread; the service runtime starts one per purge and service
 * and closes it on drain. A failed pass is logged and the next one retries; several replicas may
 * purge at once.
 */
public final class PeriodicPurge implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeriodicPurge.class);

  private final ScheduledExecutorService scheduler;

  private PeriodicPurge(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * Starts running {@code purge}, which returns the rows it deleted, the first pass after {@code
   * interval}.
   *
   * @param thread the name of its thread, such as {@code orders-idempotency-purge}
   * @param what what a row is, for the log ({@code expired idempotency key(s)})
   */
  public static PeriodicPurge start(
      String thread, Duration interval, IntSupplier purge, String what) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name(thread).factory());
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            int deleted = purge.getAsInt();
            if (deleted > 0) {
              log.info("deleted {} {}", deleted, what);
            }
          } catch (RuntimeException e) {
            log.warn("purge of {} failed; the next pass retries: {}", what, e.toString());
          }
        },
        interval.toSeconds(),
        interval.toSeconds(),
        TimeUnit.SECONDS);
    return new PeriodicPurge(scheduler);
  }

  @Override
  public void close() throws InterruptedException {
    stopBetweenPasses(scheduler);
  }

  /**
   * Stops {@code scheduler}'s periodic passes and waits for the one in progress to end on its own,
   * up to 10 s, before interrupting it. A pass interrupted mid-transaction fails with a connection
   * error (pool checkout or socket I/O interrupted) that a drain should not log.
   */
  public static void stopBetweenPasses(ScheduledExecutorService scheduler)
      throws InterruptedException {
    scheduler.shutdown(); // cancels the periodic task's next runs; a running pass continues
    if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
