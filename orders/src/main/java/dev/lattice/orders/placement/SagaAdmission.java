package dev.lattice.orders.placement;

import dev.lattice.orders.order.OrderErrors;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.platform.db.PeriodicPurge;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.ResourceExhaustedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a new order only while fewer than {@code limit} orders of the whole mesh wait for their
 * saga (decision 0021). A saga's time is its queue's length over the rate the saga completes
 * (Little's law): without a bound, more callers than the saga can serve make every order wait
 * longer, without end, and a caller cannot tell a slow saga from a stuck one. With it, the orders
 * beyond the bound are refused at once with {@code RESOURCE_EXHAUSTED} {@code SAGAS_BACKLOGGED} and
 * a {@code RetryInfo} delay, before they cost a call to inventory or a write, and the orders
 * admitted end in about {@code limit} over the saga's rate.
 *
 * <p>The count is every tenant's {@code CREATED} orders, read every {@link #REFRESH} on a
 * transaction that sees every tenant (the named cross-tenant work of decision 0018), plus the
 * orders this replica admitted since: the other replicas' admissions since the last read are the
 * overshoot. A count older than {@link #STALE} (the database unreachable) admits: CreateOrder then
 * answers as the database lets it. A limit of 0 turns admission off. Thread-safe; started by {@link
 * #start()}, stopped by {@link #close()}.
 */
public final class SagaAdmission implements AutoCloseable {

  /** How often the count of waiting orders is read. */
  static final Duration REFRESH = Duration.ofMillis(500);

  /** A count older than this no longer refuses anything. */
  static final Duration STALE = Duration.ofSeconds(5);

  /** The delay advised to a refused caller: a few of the saga's batches. */
  static final Duration RETRY_DELAY = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(SagaAdmission.class);

  private final DSLContext dsl;
  private final int limit;
  private final AtomicInteger admittedSinceRead = new AtomicInteger();
  private volatile int waiting;
  private volatile long readAtNanos;
  private volatile boolean counted;
  private volatile boolean warned;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("orders-saga-admission").factory());

  /**
   * Admission that does not count yet; see {@link #start()}.
   *
   * @param dsl the orders database
   * @param limit the most orders waiting for their saga at once; 0 admits every order
   */
  public SagaAdmission(DSLContext dsl, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.dsl = dsl;
    this.limit = limit;
  }

  /**
   * Reads the count once, before the service serves, then every {@link #REFRESH}; does nothing when
   * admission is off.
   */
  public SagaAdmission start() {
    if (limit > 0) {
      readSafely();
      long millis = REFRESH.toMillis();
      scheduler.scheduleWithFixedDelay(this::readSafely, millis, millis, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Admits one order or refuses it.
   *
   * @throws ResourceExhaustedException SAGAS_BACKLOGGED with {@link #RETRY_DELAY} when {@code
   *     limit} orders wait for their saga
   */
  public void admit() {
    if (limit == 0 || !counted || System.nanoTime() - readAtNanos > STALE.toNanos()) {
      return;
    }
    if (waiting + admittedSinceRead.get() >= limit) {
      throw new ResourceExhaustedException(
          OrderErrors.SAGAS_BACKLOGGED,
          "too many orders are waiting for payment and stock; retry with the same key later",
          Map.of("limit", Integer.toString(limit)),
          RETRY_DELAY,
          null);
    }
    admittedSinceRead.incrementAndGet();
  }

  /** Reads the count of waiting orders now; what the scheduled reads do. */
  void read() {
    int admittedBefore = admittedSinceRead.get();
    int count = Transactions.acrossTenants(dsl, OrderStore::countAwaitingSaga);
    // An estimate: an order admitted before the read but not yet committed is missed until the
    // next read, one admitted during the read is counted twice until then.
    admittedSinceRead.addAndGet(-admittedBefore);
    waiting = count;
    readAtNanos = System.nanoTime();
    counted = true;
    warned = false;
  }

  private void readSafely() {
    try {
      read();
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn(
            "cannot count the orders waiting for their saga; admitting every order until the"
                + " count is read again: {}",
            e.toString());
      }
    }
  }

  /** Stops reading the count. */
  @Override
  public void close() throws InterruptedException {
    PeriodicPurge.stopBetweenPasses(scheduler);
  }
}
