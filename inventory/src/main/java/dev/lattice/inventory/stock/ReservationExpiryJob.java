package dev.lattice.inventory.stock;

import dev.lattice.platform.db.PeriodicPurge;
import dev.lattice.platform.db.Transactions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires unpaid reservations: every {@code interval} it expires due ACTIVE reservations of every
 * tenant, one per transaction (so stock rows are locked only as long as one reservation takes), up
 * to {@value #BATCH} per round and further rounds at once while rounds come back full. Safe on
 * every replica at once: claims skip reservations another transaction holds. Its transactions see
 * every tenant's rows, the named cross-tenant work of decision 0018: it claims due reservations by
 * due time, whoever's they are. Started by {@link #start()}, stopped by {@link #close()}.
 */
public final class ReservationExpiryJob implements AutoCloseable {

  /** Reservations expired per round at most. */
  static final int BATCH = 100;

  private static final Logger log = LoggerFactory.getLogger(ReservationExpiryJob.class);

  private final DSLContext dsl;
  private final ReservationTransitions reservations;
  private final Duration interval;
  private volatile boolean closing;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("inventory-reservation-expiry").factory());

  /**
   * A job that is not running yet; see {@link #start()}.
   *
   * @param dsl the inventory database
   * @param interval the pause between the end of one pass and the start of the next
   */
  public ReservationExpiryJob(
      DSLContext dsl, ReservationTransitions reservations, Duration interval) {
    this.dsl = dsl;
    this.reservations = reservations;
    this.interval = interval;
  }

  /** Starts the periodic passes, the first one after {@code interval}. */
  public ReservationExpiryJob start() {
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  /** One pass: expires due reservations until none is left; returns how many it expired. */
  int run() {
    int expired = 0;
    int round;
    do {
      round = 0;
      while (round < BATCH
          && !closing
          && !Thread.currentThread().isInterrupted()
          && Transactions.acrossTenants(dsl, reservations::expireNext)) {
        round++;
      }
      expired += round;
    } while (round == BATCH && !closing);
    return expired;
  }

  private void runSafely() {
    try {
      int expired = run();
      if (expired > 0) {
        log.info("expired {} reservation(s)", expired);
      }
    } catch (RuntimeException e) {
      log.warn("reservation expiry pass failed; the next one retries: {}", e.toString());
    }
  }

  /** Stops the passes, waiting up to 10 s for the one in progress to finish its transaction. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    PeriodicPurge.stopBetweenPasses(scheduler);
  }
}
