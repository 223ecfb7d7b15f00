package dev.lattice.identity.housekeeping;

import dev.lattice.identity.accounts.OneTimeTokenStore;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.platform.db.PeriodicPurge;
import dev.lattice.platform.db.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what can no longer matter, every {@link #INTERVAL}: throttle counters idle for a day,
 * refresh-token families a week after their last token expired or was revoked (reuse detection
 * needs spent tokens only while their family could still be alive), and one-time tokens a week past
 * their expiry. Safe on every replica at once: each pass is a few bounded DELETEs. Thread-safe:
 * passes run on its one scheduler thread.
 */
public final class Housekeeping implements AutoCloseable {

  static final Duration INTERVAL = Duration.ofMinutes(10);
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final int BATCH = 10_000;
  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final DSLContext dsl;
  private final Throttles throttles;
  private final Clock clock;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("identity-housekeeping").factory());

  public Housekeeping(DSLContext dsl, Throttles throttles, Clock clock) {
    this.dsl = dsl;
    this.throttles = throttles;
    this.clock = clock;
  }

  /** Starts the periodic passes (the first one after a minute). */
  public Housekeeping start() {
    scheduler.scheduleWithFixedDelay(this::runSafely, 1, INTERVAL.toMinutes(), TimeUnit.MINUTES);
    return this;
  }

  /** One pass; returns how many rows it deleted. */
  public int run() {
    OffsetDateTime cutoff =
        OffsetDateTime.ofInstant(clock.instant().minus(RETENTION), ZoneOffset.UTC);
    int deleted = throttles.purgeIdle(Duration.ofDays(1));
    // Whole families at once (parent_id references stay satisfied at the statement's end), and
    // only families none of whose tokens could still be presented or detected as reused.
    // Expiry is by time, whoever's the tokens are: across tenants (decision 0018).
    deleted +=
        Transactions.acrossTenants(
            dsl, tx -> RefreshTokenStore.deleteDeadFamilies(tx, cutoff, BATCH));
    deleted +=
        Transactions.acrossTenants(dsl, tx -> OneTimeTokenStore.deleteExpired(tx, cutoff, BATCH));
    return deleted;
  }

  private void runSafely() {
    try {
      int deleted = run();
      if (deleted > 0) {
        log.info("housekeeping deleted {} expired row(s)", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("housekeeping pass failed; the next one retries: {}", e.toString());
    }
  }

  @Override
  public void close() throws InterruptedException {
    PeriodicPurge.stopBetweenPasses(scheduler);
  }
}
