package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.errors.AbortedException;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TransactionsIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private static Database database;
  private static DSLContext dsl;

  @BeforeAll
  static void open() {
    database = Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", "transactions-it"));
    Migrations.migrate(database.dataSource());
    dsl = database.dsl();
  }

  @AfterAll
  static void close() {
    threads.shutdownNow();
    database.close();
  }

  @BeforeEach
  void reset() {
    dsl.execute("truncate counters");
    dsl.execute("insert into counters (id, value) values ('a', 0), ('b', 0)");
  }

  /**
   * Classic write skew: each transaction reads the sum and writes the other row. Under SERIALIZABLE
   * one of two overlapping transactions must fail with 40001; the retry then succeeds, so both
   * increments land.
   */
  @Test
  void serializableWriteSkew_failsOnce_andIsRetriedToSuccess() throws Exception {
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<Long> first =
        CompletableFuture.supplyAsync(() -> incrementAfterSum("a", bothRead, attempts), threads);
    CompletableFuture<Long> second =
        CompletableFuture.supplyAsync(() -> incrementAfterSum("b", bothRead, attempts), threads);

    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
    assertThat(dsl.resultQuery("select sum(value) from counters").fetchOne(0, Long.class))
        .isEqualTo(2L);
  }

  @Test
  void serializationFailureEveryTime_givesUpAfterTheBound_withAborted() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                Transactions.inSerializableTransaction(
                    dsl,
                    tx -> {
                      attempts.incrementAndGet();
                      tx.fetchValue("select value from counters where id = 'a'");
                      bumpOutsideTransaction();
                      return tx.execute("update counters set value = value + 1 where id = 'a'");
                    }))
        .isInstanceOfSatisfying(
            AbortedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("TRANSACTION_CONFLICT");
              assertThat(e.retryDelay()).isPresent();
              assertThat(Transactions.isRetryable(e.getCause())).isTrue();
            });
    assertThat(attempts.get()).isEqualTo(Transactions.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  void deadlock_isRetried() throws Exception {
    CyclicBarrier bothLocked = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<Integer> first =
        CompletableFuture.supplyAsync(() -> lockBothRows("a", "b", bothLocked, attempts), threads);
    CompletableFuture<Integer> second =
        CompletableFuture.supplyAsync(() -> lockBothRows("b", "a", bothLocked, attempts), threads);

    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
    assertThat(dsl.resultQuery("select sum(value) from counters").fetchOne(0, Long.class))
        .isEqualTo(4L);
  }

  @Test
  void otherFailure_isNotRetried() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                Transactions.inTransaction(
                    dsl,
                    tx -> {
                      attempts.incrementAndGet();
                      return tx.execute("insert into counters (id, value) values ('a', 1)");
                    }))
        .isInstanceOf(DataAccessException.class);
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void success_commitsOnce() {
    AtomicInteger attempts = new AtomicInteger();

    int updated =
        Transactions.inTransaction(
            dsl,
            tx -> {
              attempts.incrementAndGet();
              return tx.execute("update counters set value = 7 where id = 'a'");
            });

    assertThat(updated).isEqualTo(1);
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(dsl.resultQuery("select value from counters where id = 'a'").fetchOne(0, Long.class))
        .isEqualTo(7L);
  }

  private static long incrementAfterSum(String id, CyclicBarrier bothRead, AtomicInteger attempts) {
    return Transactions.inSerializableTransaction(
        dsl,
        tx -> {
          int attempt = attempts.incrementAndGet();
          Long sum = tx.resultQuery("select sum(value) from counters").fetchOne(0, Long.class);
          if (attempt <= 2) {
            bothRead.await(20, TimeUnit.SECONDS); // only the first two attempts overlap
          }
          tx.execute("update counters set value = value + 1 where id = ?", id);
          return sum;
        });
  }

  private static int lockBothRows(
      String firstId, String secondId, CyclicBarrier bothLocked, AtomicInteger attempts) {
    return Transactions.inTransaction(
        dsl,
        tx -> {
          int attempt = attempts.incrementAndGet();
          tx.execute("update counters set value = value + 1 where id = ?", firstId);
          if (attempt <= 2) {
            bothLocked.await(20, TimeUnit.SECONDS);
          }
          return tx.execute("update counters set value = value + 1 where id = ?", secondId);
        });
  }

  /** Commits a change to row 'a' from another connection, so the caller's snapshot is stale. */
  private static void bumpOutsideTransaction() throws Exception {
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("update counters set value = value + 1 where id = 'a'");
    }
  }
}
