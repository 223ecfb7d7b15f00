package dev.lattice.platform.idempotency;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link IdempotencyStore#purgeExpired()} every {@link #INTERVAL} on a daemon thread; the
 * service runtime starts one per service and closes it on drain. A failed pass is logged and the
 * next one retries.
 */
public final class IdempotencyPurger implements AutoCloseable {

  /** How often expired keys are deleted. */
  public static final Duration INTERVAL = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(IdempotencyPurger.class);

  private final ScheduledExecutorService scheduler;

  private IdempotencyPurger(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** Starts purging {@code store}, the first pass after {@link #INTERVAL}. */
  public static IdempotencyPurger start(String service, IdempotencyStore store) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name(service + "-idempotency-purge").factory());
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            int deleted = store.purgeExpired();
            if (deleted > 0) {
              log.info("deleted {} expired idempotency key(s)", deleted);
            }
          } catch (RuntimeException e) {
            log.warn("idempotency key purge failed; the next pass retries: {}", e.toString());
          }
        },
        INTERVAL.toMinutes(),
        INTERVAL.toMinutes(),
        TimeUnit.MINUTES);
    return new IdempotencyPurger(scheduler);
  }

  @Override
  public void close() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }
}
