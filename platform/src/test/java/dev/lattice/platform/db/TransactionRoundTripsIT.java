package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction costs only its own statements: jOOQ reads the isolation level at every begin, and
 * {@link Database} answers without asking PostgreSQL. Seen from the server: after an empty
 * transaction, the last statement of the pool's one backend is still the one before it, not a
 * {@code SHOW TRANSACTION ISOLATION LEVEL}.
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
