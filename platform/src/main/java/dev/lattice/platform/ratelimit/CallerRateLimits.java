package dev.lattice.platform.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Per-caller token buckets shared by every replica of a service through its database ({@code
 * rate_limit_buckets}, decision 0019). A replica takes a lease of up to {@link
 * RateLimitConfig#lease()} tokens from a caller's bucket in one statement (the bucket refilled for
 * the time since its last lease, capped at the burst) and spends it locally for at most {@link
 * #LEASE_LIFETIME}; what it has not spent by then is lost, so together the replicas never admit
 * more than the bucket gives (each replica at most one lease ahead of it), and a caller near its
 * limit gets up to a lease less per replica. The lifetime is long because most callers are slow: a
 * shop's customer calls a few times a minute, and a lease that ended after a second cost her a
 * database write on every call. When the bucket holds less than one token the call is refused with
 * the time until it holds one, and so is every call of that caller on this replica until then,
 * without asking the database again (no other replica can fill the bucket sooner), so a caller
 * hammering past its limit costs no statement per refused call. Thread-safe; calls of one caller on
 * one replica wait for each other only while a lease is taken.
 */
public final class CallerRateLimits {

  /** How long a lease's tokens may be spent. */
  public static final Duration LEASE_LIFETIME = Duration.ofMinutes(1);

  /** How often the service runtime runs {@link #purgeIdle()}. */
  public static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);

  /**
   * Callers whose leases a replica keeps; beyond it the least used leases go, with their tokens.
   */
  private static final int MAX_LOCAL_CALLERS = 50_000;

  private static final int PURGE_BATCH = 1_000;

  private final DSLContext dsl;
  private final RateLimitConfig config;
  private final Cache<String, Lease> leases =
      Caffeine.newBuilder()
          .maximumSize(MAX_LOCAL_CALLERS)
          .expireAfterAccess(LEASE_LIFETIME)
          .build();

  /** Buckets in the database behind {@code dsl}, limited by {@code config}. */
  public CallerRateLimits(DSLContext dsl, RateLimitConfig config) {
    this.dsl = Objects.requireNonNull(dsl, "dsl");
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Spends one token of {@code caller}'s bucket.
   *
   * @return empty when the call may proceed; else how long until the bucket holds a token
   */
  public Optional<Duration> acquire(String caller) {
    Lease lease = leases.get(caller, c -> new Lease());
    lease.lock.lock();
    try {
      long now = System.nanoTime();
      if (now - lease.refusedUntilNanos < 0) {
        return Optional.of(millisAtLeastOne(lease.refusedUntilNanos - now));
      }
      if (lease.remaining > 0 && now - lease.expiresNanos < 0) {
        lease.remaining--;
        return Optional.empty();
      }
      Record2<Integer, Double> taken = take(caller);
      int granted = taken.value1();
      if (granted == 0) {
        lease.remaining = 0;
        long waitNanos = (long) Math.ceil((1 - taken.value2()) / config.perSecond() * 1e9);
        lease.refusedUntilNanos = now + waitNanos;
        return Optional.of(millisAtLeastOne(waitNanos));
      }
      lease.remaining = granted - 1;
      lease.expiresNanos = now + LEASE_LIFETIME.toNanos();
    } finally {
      lease.lock.unlock();
    }
    return Optional.empty();
  }

  private static Duration millisAtLeastOne(long nanos) {
    return Duration.ofMillis(Math.max(1, (long) Math.ceil(nanos / 1e6)));
  }

  /**
   * Deletes the buckets of callers idle for as long as a bucket takes to refill from empty (burst ÷
   * rate), in batches of {@value #PURGE_BATCH}: such a bucket is full, as a new one is, so a caller
   * whose bucket is gone is served as before. Without it, a row would stay for every caller ever
   * seen. The service runtime runs it every {@link #PURGE_INTERVAL}; replicas may run it at once.
   *
   * @return the number of buckets deleted
   */
  public int purgeIdle() {
    double fullAfterSeconds = (double) config.burst() / config.perSecond();
    int total = 0;
    while (true) {
      int deleted =
          dsl.execute(
              "delete from rate_limit_buckets where ctid = any(array(select ctid from"
                  + " rate_limit_buckets where refill_time < now() - ? * interval '1 second'"
                  + " limit ?))",
              fullAfterSeconds,
              PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) {
        return total;
      }
    }
  }

  /** Refills {@code caller}'s bucket and takes a lease from it: (tokens granted, tokens left). */
  private Record2<Integer, Double> take(String caller) {
    var bucket = DSL.val(config.burst(), SQLDataType.DOUBLE);
    var rate = DSL.val(config.perSecond(), SQLDataType.DOUBLE);
    var lease = DSL.val(config.lease(), SQLDataType.DOUBLE);
    return dsl.resultQuery(
            "insert into rate_limit_buckets as b (caller, tokens, refill_time, granted)"
                + " values ({0}, {1} - {3}, now(), {3}::integer)"
                + " on conflict (caller) do update set"
                + " granted = least({3}, floor(least({1}, b.tokens"
                + " + extract(epoch from now() - b.refill_time) * {2})))::integer,"
                + " tokens = least({1}, b.tokens + extract(epoch from now() - b.refill_time) * {2})"
                + " - least({3}, floor(least({1}, b.tokens"
                + " + extract(epoch from now() - b.refill_time) * {2}))),"
                + " refill_time = now()"
                + " returning granted, tokens",
            DSL.val(caller), bucket, rate, lease)
        .coerce(DSL.field("granted", SQLDataType.INTEGER), DSL.field("tokens", SQLDataType.DOUBLE))
        .fetchSingle();
  }

  /** One caller's lease on this replica; guarded by its lock. */
  private static final class Lease {
    private final ReentrantLock lock = new ReentrantLock();
    private int remaining;
    private long expiresNanos;
    private long refusedUntilNanos = System.nanoTime();
  }
}
