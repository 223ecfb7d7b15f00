package dev.lattice.payments.worker;

import dev.lattice.payments.ledger.ChargeRequestStore;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.RefundRow;
import dev.lattice.payments.ledger.Settlements;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background task that runs the {@link ChargeWorker} and the {@link RefundWorker} every poll
 * interval, each claimed item on its own virtual thread (a slow provider call does not hold up the
 * others; about {@value #MAX_IN_FLIGHT} at once at most), and deletes charge requests past their
 * expiry. {@link #close()} stops the rounds and waits for the provider calls in progress (bounded
 * by the provider timeout). Thread-safe.
 */
public final class ProviderWorkers implements AutoCloseable {

  /** The instrumentation scope of the workers' spans ({@code charge}, {@code refund}). */
  static final String INSTRUMENTATION_SCOPE = "dev.lattice.payments.worker";

  /** Provider calls one instance runs at once, at most (plus one claim batch). */
  private static final int MAX_IN_FLIGHT = 64;

  private static final Logger log = LoggerFactory.getLogger(ProviderWorkers.class);

  private final DSLContext dsl;
  private final ChargeWorker charges;
  private final RefundWorker refunds;
  private final Settlements settlements;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("payments-worker").daemon().factory());
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean nudged = new AtomicBoolean();

  public ProviderWorkers(
      DSLContext dsl, ChargeWorker charges, RefundWorker refunds, Settlements settlements) {
    this.dsl = dsl;
    this.charges = charges;
    this.refunds = refunds;
    this.settlements = settlements;
  }

  /** Starts a round every {@code poll}; returns this. */
  public ProviderWorkers start(Duration poll) {
    timer.scheduleWithFixedDelay(this::round, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Runs a round now instead of at the next poll: called once a consumer has committed new work (a
   * payment to charge, a refund to make), so a charge starts within milliseconds of its
   * StockReserved rather than up to a poll interval later. Nudges that arrive while one is pending
   * are coalesced; after {@link #close()} they are ignored.
   */
  public void nudge() {
    if (nudged.compareAndSet(false, true)) {
      try {
        timer.execute(
            () -> {
              nudged.set(false);
              round();
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

  /** One round: claim the due payments and refunds and start their provider calls. */
  public void round() {
    try {
      // Claimed items are leased, so the next round never takes them again while they run; not
      // waiting for them here keeps one slow provider call from delaying every other payment.
      // A full batch means more may be due: claim again at once rather than a poll later.
      boolean full = true;
      while (full && inFlight.get() < MAX_IN_FLIGHT) {
        List<PaymentRow> duePayments = charges.claim();
        for (PaymentRow payment : duePayments) {
          submit(() -> charges.process(payment));
        }
        List<RefundRow> dueRefunds = refunds.claim();
        for (RefundRow refund : dueRefunds) {
          submit(() -> refunds.process(refund));
        }
        full = duePayments.size() == ChargeWorker.BATCH || dueRefunds.size() == ChargeWorker.BATCH;
      }
      ChargeRequestStore.deleteExpired(dsl, settlements.now());
    } catch (RuntimeException e) {
      log.warn("payments worker round failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdown();
    calls.shutdown();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
      calls.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
