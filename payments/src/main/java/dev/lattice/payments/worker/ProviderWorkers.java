package dev.lattice.payments.worker;

import dev.lattice.payments.ledger.ChargeRequestStore;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.RefundRow;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.platform.db.Transactions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background task that runs the {@link ChargeWorker} and the {@link RefundWorker} every poll
 * interval while they find work (idle, the pause doubles up to five intervals, at most {@link
 * #LONGEST_IDLE_PAUSE}), each claimed item on its own virtual thread (a slow provider call does not
 * hold up the others; about {@value #MAX_IN_FLIGHT} at once at most), and deletes charge requests
 * past their expiry at most every {@link #PURGE_INTERVAL}. A nudge runs a round at once for the
 * work it names: a payment to charge claims charges only, so the saga's every StockReserved costs
 * one claim, not three transactions. {@link #close()} stops the rounds and waits for the provider
 * calls in progress (bounded by the provider timeout). Thread-safe.
 */
public final class ProviderWorkers implements AutoCloseable {

  /** The instrumentation scope of the workers' spans ({@code charge}, {@code refund}). */
  static final String INSTRUMENTATION_SCOPE = "dev.lattice.payments.worker";

  /** Provider calls one instance runs at once, at most (plus one claim batch). */
  private static final int MAX_IN_FLIGHT = 64;

  /** The longest pause between two timed rounds of an idle instance. */
  static final Duration LONGEST_IDLE_PAUSE = Duration.ofSeconds(1);

  /** How often, at most, charge requests past their expiry are deleted. */
  static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(ProviderWorkers.class);

  private final DSLContext dsl;
  private final ChargeWorker charges;
  private final RefundWorker refunds;
  private final Settlements settlements;
  private final ScheduledThreadPoolExecutor timer = newTimer();
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean nudged = new AtomicBoolean();
  private final AtomicBoolean refundsNudged = new AtomicBoolean();
  private volatile boolean closing;
  private long lastPurge = System.nanoTime() - PURGE_INTERVAL.toNanos(); // timer thread only

  public ProviderWorkers(
      DSLContext dsl, ChargeWorker charges, RefundWorker refunds, Settlements settlements) {
    this.dsl = dsl;
    this.charges = charges;
    this.refunds = refunds;
    this.settlements = settlements;
  }

  /** One platform thread whose delayed rounds are dropped at {@link #close()}, not run. */
  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("payments-worker").daemon().factory());
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return timer;
  }

  /** Starts the timed rounds, the first now; returns this. */
  public ProviderWorkers start(Duration poll) {
    long every = poll.toNanos();
    long longest = Math.max(every, Math.min(5 * every, LONGEST_IDLE_PAUSE.toNanos()));
    timer.execute(() -> timedRound(every, longest, every));
    return this;
  }

  /**
   * A round on the timer, then the next one: after a poll interval if it found work, else after
   * twice its last pause, up to {@code longest} (an idle service does not claim twice a second;
   * nudges bring new work at once, and only retries and lease expiries wait for these rounds).
   */
  private void timedRound(long poll, long longest, long pause) {
    long next = round(true) ? poll : Math.min(longest, pause * 2);
    try {
      timer.schedule(() -> timedRound(poll, longest, next), next, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * Runs a round for charges now instead of at the next poll: called once a consumer has committed
   * a payment to charge, so a charge starts within milliseconds of its StockReserved rather than up
   * to a poll interval later. Nudges that arrive while one is pending are coalesced; after {@link
   * #close()} they are ignored.
   */
  public void nudgeCharges() {
    nudge(false);
  }

  /**
   * Runs a round for charges and refunds now: called once a consumer has committed work for either
   * (a cancelled order's charge to look up or refund, a refund to make).
   */
  public void nudge() {
    nudge(true);
  }

  private void nudge(boolean refunds) {
    if (refunds) {
      refundsNudged.set(true);
    }
    if (nudged.compareAndSet(false, true)) {
      try {
        timer.execute(
            () -> {
              nudged.set(false);
              round(refundsNudged.getAndSet(false));
            });
      } catch (RejectedExecutionException e) {
        nudged.set(false); // closing: the work stays due for the next start
      }
    }
  }

  private void submit(Runnable call) {
    inFlight.incrementAndGet();
    calls.execute(
        () -> {
          try {
            call.run();
          } finally {
            inFlight.decrementAndGet();
          }
        });
  }

  /**
   * One round: claims the due payments, and the due refunds when {@code withRefunds}, starts their
   * provider calls, and deletes expired charge requests when the last purge is old enough.
   */
  private boolean round(boolean withRefunds) {
    boolean found = false;
    try {
      // Claimed items are leased, so the next round never takes them again while they run; not
      // waiting for them here keeps one slow provider call from delaying every other payment.
      // A full batch means more may be due: claim again at once rather than a poll later.
      boolean full = true;
      while (full && !closing && inFlight.get() < MAX_IN_FLIGHT) {
        List<PaymentRow> duePayments = charges.claim();
        for (PaymentRow payment : duePayments) {
          submit(() -> charges.process(payment));
        }
        List<RefundRow> dueRefunds = withRefunds ? refunds.claim() : List.of();
        for (RefundRow refund : dueRefunds) {
          submit(() -> refunds.process(refund));
        }
        found |= !duePayments.isEmpty() || !dueRefunds.isEmpty();
        full = duePayments.size() == ChargeWorker.BATCH || dueRefunds.size() == ChargeWorker.BATCH;
      }
      long now = System.nanoTime();
      if (now - lastPurge >= PURGE_INTERVAL.toNanos()) {
        lastPurge = now;
        // The sweeper deletes every tenant's expired requests: cross-tenant work (decision 0018).
        Transactions.acrossTenants(
            dsl,
            tx -> {
              ChargeRequestStore.deleteExpired(tx, settlements.now());
              return null;
            });
      }
    } catch (RuntimeException e) {
      log.warn("payments worker round failed: {}", e.toString());
    }
    return found;
  }

  /**
   * Stops the rounds, then waits for the provider calls in progress. The timer is drained first: a
   * round already running finishes handing out what it claimed (and claims no more) before the call
   * executor shuts, so no claimed item is left leased without its call.
   */
  @Override
  public void close() {
    closing = true;
    timer.shutdown();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
      calls.shutdown();
      calls.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      calls.shutdown();
      Thread.currentThread().interrupt();
    }
  }
}
