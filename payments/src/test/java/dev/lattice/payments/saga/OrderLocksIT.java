package dev.lattice.payments.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The saga's per-order locks of a batch: all held at once, each like the single order's lock. */
class OrderLocksIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static Database db;

  @BeforeAll
  static void open() {
    db = Database.open(DbConfig.of(postgres.jdbcUrl(), postgres.user(), "", "order-locks-it"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void lockAll_holdsEveryOrdersLock_untilTheTransactionEnds_andStacksWithTheSingleLock()
      throws Exception {
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    UUID other = UUID.randomUUID();

    db.dsl()
        .transaction(
            c -> {
              OrderLocks.lockAll(c.dsl(), List.of(second, first, second));
              SagaStore.lockOrder(c.dsl(), first);
              assertThat(freeElsewhere(first)).isFalse();
              assertThat(freeElsewhere(second)).isFalse();
              assertThat(freeElsewhere(other)).isTrue();
            });

    assertThat(freeElsewhere(first)).isTrue();
    assertThat(freeElsewhere(second)).isTrue();
  }

  /** Whether another session can take the order's lock now (and lets it go at once). */
  private static boolean freeElsewhere(UUID order) throws SQLException {
    long key = order.getMostSignificantBits() ^ order.getLeastSignificantBits();
    try (Connection session = postgres.connect();
        PreparedStatement ps = session.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
      ps.setLong(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
