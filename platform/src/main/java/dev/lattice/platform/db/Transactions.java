package dev.lattice.platform.db;

import dev.lattice.platform.errors.AbortedException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in a transaction and retries it when PostgreSQL aborts it for a concurrency reason that
 * a retry can fix: serialization failure (SQLSTATE {@code 40001}) or deadlock ({@code 40P01}).
 *
 * <p>At most {@value #DEFAULT_MAX_ATTEMPTS} attempts by default, with "full jitter" exponential
 * backoff between them: a random pause up to 10 ms, 20 ms, 40 ms, … capped at 200 ms. When the
 * attempts are exhausted it throws {@link AbortedException} (reason {@value #REASON}, a 100 ms
 * retry hint, the last database error as cause), which callers see as {@code ABORTED}. Any other
 * exception rolls back and propagates at once, unchanged; checked exceptions of the work are
 * wrapped by jOOQ.
 *
 * <p>The work may therefore run several times; see {@link TransactionalCallable}. A plain loop is
 * used instead of a retry library: the policy is tiny and the SQLSTATE check is the only logic.
 * Stateless and thread-safe.
 *
 * <p>The work runs in a {@link TenantScope} frame: the tenant it sets goes with its next statement
 * rather than in a round trip of its own.
 */
public final class Transactions {

  /** The default number of attempts, including the first. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  /** The reason of the {@link AbortedException} thrown when retries are exhausted. */
  public static final String REASON = "TRANSACTION_CONFLICT";

  private static final String SERIALIZATION_FAILURE = "40001";
  private static final String DEADLOCK_DETECTED = "40P01";
  private static final long BASE_BACKOFF_MILLIS = 10;
  private static final long MAX_BACKOFF_MILLIS = 200;
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);

  private Transactions() {}

  /** Runs {@code work} in a READ COMMITTED transaction, retrying as described. */
  public static <T> T inTransaction(DSLContext dsl, TransactionalCallable<T> work) {
    return inTransaction(dsl, DEFAULT_MAX_ATTEMPTS, work);
  }

  /**
   * Runs {@code work} in a READ COMMITTED transaction with at most {@code maxAttempts} attempts.
   */
  public static <T> T inTransaction(
      DSLContext dsl, int maxAttempts, TransactionalCallable<T> work) {
    return run(dsl, maxAttempts, false, null, null, work);
  }

  /**
   * Runs {@code work} in a READ COMMITTED transaction that sees and writes only the rows of {@code
   * tenantId} under row-level security, retrying as described. The setting travels with the work's
   * first statement ({@link TenantScope}: in its round trip when that is a {@link
   * RenderedStatement}, just before it otherwise).
   */
  public static <T> T inTenantTransaction(
      DSLContext dsl, UUID tenantId, TransactionalCallable<T> work) {
    Objects.requireNonNull(tenantId, "tenantId");
    return run(dsl, DEFAULT_MAX_ATTEMPTS, false, tenantId.toString(), "", work);
  }

  /**
   * Runs {@code work} in a READ COMMITTED transaction that sees every tenant's rows (the setting
   * sent as {@link #inTenantTransaction} sends its tenant), retrying as described: only for the
   * named cross-tenant work of decision 0018.
   */
  public static <T> T acrossTenants(DSLContext dsl, TransactionalCallable<T> work) {
    return run(dsl, DEFAULT_MAX_ATTEMPTS, false, "", "on", work);
  }

  /** Runs {@code work} in a SERIALIZABLE transaction, retrying as described. */
  public static <T> T inSerializableTransaction(DSLContext dsl, TransactionalCallable<T> work) {
    return inSerializableTransaction(dsl, DEFAULT_MAX_ATTEMPTS, work);
  }

  /** Runs {@code work} in a SERIALIZABLE transaction with at most {@code maxAttempts} attempts. */
  public static <T> T inSerializableTransaction(
      DSLContext dsl, int maxAttempts, TransactionalCallable<T> work) {
    return run(dsl, maxAttempts, true, null, null, work);
  }

  /** True when {@code failure} or one of its causes is a serialization failure or deadlock. */
  public static boolean isRetryable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state)) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Runs {@code work} with retries in a frame of its own ({@link TenantScope#framed}), {@code
   * tenant} and {@code allTenants} pending for its first statement (null: no setting yet).
   */
  private static <T> T run(
      DSLContext dsl,
      int maxAttempts,
      boolean serializable,
      String tenant,
      String allTenants,
      TransactionalCallable<T> work) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return dsl.transactionResult(
            configuration -> {
              DSLContext tx = configuration.dsl();
              if (serializable) {
                tx.execute("set transaction isolation level serializable");
              }
              // A frame, so that the scope the work sets rides with its next statement.
              return TenantScope.framed(tx, tenant, allTenants, work);
            });
      } catch (DataAccessException e) {
        if (!isRetryable(e)) {
          throw e;
        }
        if (attempt >= maxAttempts) {
          throw new AbortedException(
              REASON,
              "the operation conflicted with concurrent changes; retry it",
              Map.of(),
              Duration.ofMillis(100),
              e);
        }
        long pause = backoffMillis(attempt);
        log.debug(
            "transaction attempt {} conflicted ({}); retrying in {} ms",
            attempt,
            e.sqlState(),
            pause);
        sleep(pause);
      }
    }
  }

  private static long backoffMillis(int attempt) {
    long ceiling = Math.min(MAX_BACKOFF_MILLIS, BASE_BACKOFF_MILLIS << Math.min(attempt - 1, 10));
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataAccessException("interrupted while waiting to retry a transaction", e);
    }
  }
}
