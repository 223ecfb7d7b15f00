package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction costs only its own statements: jOOQ reads the isolation level at every begin, and
 * {@link Database} answers without asking PostgreSQL. Seen from the server: after an empty
 * transaction, the last statement of the pool's one backend is still the one before it, not a
 * {@code SHOW TRANSACTION ISOLATION LEVEL}. And a tenant's transaction (decision 0018) sends its
 * tenant with its first statement, not in a round trip of its own: seen from the driver, which ends
 * every round trip with a Sync message.
 */
class TransactionRoundTripsIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final String APPLICATION = "round-trips-it";
  private static Database database;

  @BeforeAll
  static void open() {
    database = Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", APPLICATION).withPoolSize(1));
  }

  @AfterAll
  static void close() {
    database.close();
  }

  @Test
  void aTransaction_sendsNoIsolationLevelQuery() throws Exception {
    database.dsl().execute("select 'before the transaction'");

    Transactions.inTransaction(database.dsl(), tx -> null);

    assertThat(lastStatementOfThePool()).isEqualTo("select 'before the transaction'");
  }

  @Test
  void readCommitted_isWhatTheServerRuns_andSerializableStillApplies() {
    String level =
        Transactions.inTransaction(
            database.dsl(),
            tx -> tx.resultQuery("show transaction isolation level").fetchOne(0, String.class));
    String serializable =
        Transactions.inSerializableTransaction(
            database.dsl(),
            tx -> tx.resultQuery("show transaction isolation level").fetchOne(0, String.class));

    assertThat(level).isEqualTo("read committed");
    assertThat(serializable).isEqualTo("serializable");
  }

  private static final RenderedStatement TENANT =
      RenderedStatement.of(
          DSL.select(
              DSL.field("coalesce(current_setting('lattice.tenant_id', true), '')", String.class)));
  private static final RenderedStatement ALL_TENANTS =
      RenderedStatement.of(
          DSL.select(
              DSL.field(
                  "coalesce(current_setting('lattice.all_tenants', true), '')", String.class)));

  @Test
  void aTenantsTransaction_sendsItsTenantInTheRoundTripOfItsFirstRenderedStatement() {
    UUID tenant = UUID.randomUUID();
    int plain = roundTripsOfATransactionWithOneRead();

    List<Object> seen = new java.util.ArrayList<>();
    int tenants =
        syncsDuring(
            () ->
                Transactions.inTenantTransaction(
                    database.dsl(),
                    tenant,
                    tx -> {
                      seen.add(TENANT.fetchFirst(tx, rs -> rs.getString(1)).orElseThrow());
                      seen.add(TENANT.fetchFirst(tx, rs -> rs.getString(1)).orElseThrow());
                      return null;
                    }));
    int twoPlain =
        syncsDuring(
            () ->
                Transactions.inTransaction(
                    database.dsl(),
                    tx -> {
                      TENANT.fetchFirst(tx, rs -> rs.getString(1));
                      return TENANT.fetchFirst(tx, rs -> rs.getString(1));
                    }));

    assertThat(seen).containsExactly(tenant.toString(), tenant.toString());
    assertThat(tenants).as("round trips with the tenant").isEqualTo(twoPlain);
    assertThat(twoPlain).isEqualTo(plain + 1);
    assertThat(settingsAfterwards()).as("the tenant ends with its transaction").isEqualTo("|");
  }

  @Test
  void aTenantsTransaction_whoseFirstStatementIsPlainJooq_hasItsTenantSentJustBefore() {
    UUID tenant = UUID.randomUUID();
    String seen =
        Transactions.inTenantTransaction(
            database.dsl(),
            tenant,
            tx ->
                tx.select(DSL.field("current_setting('lattice.tenant_id', true)", String.class))
                    .fetchOne(0, String.class));
    String across =
        Transactions.acrossTenants(
            database.dsl(),
            tx ->
                tx.select(DSL.field("current_setting('lattice.all_tenants', true)", String.class))
                    .fetchOne(0, String.class));

    assertThat(seen).isEqualTo(tenant.toString());
    assertThat(across).isEqualTo("on");
    assertThat(settingsAfterwards()).isEqualTo("|");
  }

  @Test
  void aStatementOnAnotherConnection_neitherTakesTheTenantNorLeavesItsTransactionWithout()
      throws Exception {
    UUID tenant = UUID.randomUUID();
    try (Database other =
        Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", APPLICATION + "-other"))) {
      List<String> seen =
          Transactions.inTenantTransaction(
              database.dsl(),
              tenant,
              tx -> {
                String elsewhere = TENANT.fetchFirst(other.dsl(), rs -> rs.getString(1)).get();
                String here = TENANT.fetchFirst(tx, rs -> rs.getString(1)).get();
                return List.of(elsewhere, here);
              });

      assertThat(seen).containsExactly("", tenant.toString());
    }
  }

  @Test
  void aScopeSetAtOnce_supersedesThePendingTenant() {
    String all =
        Transactions.inTenantTransaction(
            database.dsl(),
            UUID.randomUUID(),
            tx -> {
              TenantScope.acrossTenants(tx);
              return ALL_TENANTS.fetchFirst(tx, rs -> rs.getString(1)).get()
                  + "|"
                  + TENANT.fetchFirst(tx, rs -> rs.getString(1)).get();
            });

    assertThat(all).isEqualTo("on|");
  }

  @Test
  void scopesSwitchedInATransaction_rideWithItsNextStatement_onlyTheLastOfThemSent() {
    UUID first = UUID.randomUUID();
    UUID last = UUID.randomUUID();
    int plain = roundTripsOfATransactionWithOneRead();

    List<String> seen = new java.util.ArrayList<>();
    int switched =
        syncsDuring(
            () ->
                Transactions.inTransaction(
                    database.dsl(),
                    tx -> {
                      TenantScope.enter(tx, first);
                      TenantScope.acrossTenants(tx); // a batch's lock, say, with no statement
                      TenantScope.enter(tx, last);
                      seen.add(TENANT.fetchFirst(tx, rs -> rs.getString(1)).orElseThrow());
                      return null;
                    }));
    String acrossThenPlainJooq =
        Transactions.inTenantTransaction(
            database.dsl(),
            first,
            tx -> {
              TenantScope.acrossTenants(tx);
              return tx.select(
                      DSL.field("current_setting('lattice.all_tenants', true)", String.class))
                  .fetchOne(0, String.class);
            });

    assertThat(seen).containsExactly(last.toString());
    assertThat(switched).as("round trips with three scopes set").isEqualTo(plain);
    assertThat(acrossThenPlainJooq).isEqualTo("on");
  }

  @Test
  void aScopeNoStatementUsed_isNotLeftForTheConnectionsNextTransaction() {
    Transactions.inTransaction(
        database.dsl(),
        tx -> {
          TenantScope.enter(tx, UUID.randomUUID());
          return null;
        });
    // The pool holds one connection: the next transaction and statement run on the same one.
    String next =
        Transactions.inTransaction(
            database.dsl(), tx -> TENANT.fetchFirst(tx, rs -> rs.getString(1)).orElseThrow());
    String outside = TENANT.fetchFirst(database.dsl(), rs -> rs.getString(1)).orElseThrow();

    assertThat(next).isEmpty();
    assertThat(outside).isEmpty();
  }

  @Test
  void outsideATransactionOfTransactions_aScopeIsSentAtOnce() {
    UUID tenant = UUID.randomUUID();
    String seen =
        database
            .dsl()
            .transactionResult(
                configuration -> {
                  TenantScope.enter(configuration.dsl(), tenant);
                  // A raw statement takes no pending setting: only one sent at once reaches it.
                  return configuration
                      .dsl()
                      .connectionResult(
                          c -> {
                            try (var ps =
                                    c.prepareStatement(
                                        "select current_setting('lattice.tenant_id', true)");
                                var rs = ps.executeQuery()) {
                              rs.next();
                              return rs.getString(1);
                            }
                          });
                });

    assertThat(seen).isEqualTo(tenant.toString());
    assertThat(settingsAfterwards()).isEqualTo("|");
  }

  /** The round trips of a transaction with no tenant and one rendered read, its SQL prepared. */
  private static int roundTripsOfATransactionWithOneRead() {
    Transactions.inTransaction(database.dsl(), tx -> TENANT.fetchFirst(tx, rs -> rs.getString(1)));
    return syncsDuring(
        () ->
            Transactions.inTransaction(
                database.dsl(), tx -> TENANT.fetchFirst(tx, rs -> rs.getString(1))));
  }

  /** The Sync messages pgjdbc sends while {@code work} runs: one per round trip. */
  private static int syncsDuring(Runnable work) {
    Logger protocol = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
    AtomicInteger syncs = new AtomicInteger();
    Handler counter =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains("FE=> Sync")) {
              syncs.incrementAndGet();
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Level before = protocol.getLevel();
    protocol.setLevel(Level.FINEST);
    counter.setLevel(Level.FINEST);
    protocol.addHandler(counter);
    try {
      work.run();
    } finally {
      protocol.removeHandler(counter);
      protocol.setLevel(before);
    }
    assertThat(syncs.get()).as("pgjdbc's protocol log counted Sync messages").isPositive();
    return syncs.get();
  }

  /** The pool's one connection's settings after the transactions, {tenant}|{all tenants}. */
  private static String settingsAfterwards() {
    return database
        .dsl()
        .select(
            DSL.field("coalesce(current_setting('lattice.tenant_id', true), '')", String.class),
            DSL.field("coalesce(current_setting('lattice.all_tenants', true), '')", String.class))
        .fetchOne(r -> r.value1() + "|" + r.value2());
  }

  private static String lastStatementOfThePool() throws Exception {
    try (Connection observer = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
        PreparedStatement query =
            observer.prepareStatement(
                "select query from pg_stat_activity where application_name = ?")) {
      query.setString(1, APPLICATION);
      try (ResultSet rows = query.executeQuery()) {
        assertThat(rows.next()).as("the pool's backend").isTrue();
        String last = rows.getString(1);
        assertThat(rows.next()).as("one backend").isFalse();
        return last;
      }
    }
  }
}
