package dev.lattice.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pgbench scripts against the schemas the services migrate (Flyway, from the orders and
 * inventory jars) on a real PostgreSQL: every statement must run, so a migration that renames or
 * drops what the captured SQL uses fails here, and a CreateOrder run must leave no row behind.
 */
class CeilingScriptsIT {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static CeilingDatabases dbs;

  @BeforeAll
  static void migrateAndSeed() throws SQLException {
    dbs = CeilingDatabases.start(20, 50);
  }

  @AfterAll
  static void stop() {
    if (dbs != null) {
      dbs.close();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void createOrder_scriptsRunOnMigratedSchemas_andLeaveNoRows(int lines) throws SQLException {
    List<Long> before = rowCounts(dbs.orders());

    PgbenchCeiling.Workload workload =
        PgbenchCeiling.createOrder(
            dbs.orders(),
            dbs.inventory(),
            PgbenchCeiling.Settings.forLines(List.of(2), ONE_SECOND, lines)
                .withRole(dbs.runtimeRole()));

    PgbenchCeiling.Step step = workload.best();
    assertThat(step.clients()).isEqualTo(2);
    assertThat(step.processes())
        .extracting(PgbenchOutcome::script)
        .containsExactly(PgbenchCeiling.CREATE_ORDER_ORDERS, PgbenchCeiling.CREATE_ORDER_INVENTORY);
    assertThat(step.processes()).allSatisfy(p -> assertThat(p.transactions()).isPositive());
    assertThat(step.tps())
        .isEqualTo(Math.min(step.processes().get(0).tps(), step.processes().get(1).tps()));
    assertThat(rowCounts(dbs.orders())).isEqualTo(before);
  }

  @Test
  void getOrder_scriptRunsOnMigratedSchema() throws SQLException {
    PgbenchCeiling.Workload workload =
        PgbenchCeiling.getOrder(
            dbs.orders(),
            PgbenchCeiling.Settings.forLines(List.of(1, 2), ONE_SECOND, 1)
                .withRole(dbs.runtimeRole()));

    assertThat(workload.steps()).extracting(PgbenchCeiling.Step::clients).containsExactly(1, 2);
    assertThat(workload.steps())
        .allSatisfy(s -> assertThat(s.processes().getFirst().transactions()).isPositive());
  }

  @Test
  void getOrder_pickFromTheIdList_stillReadsByPrimaryKey() throws SQLException {
    try (Connection c = dbs.orders().connect();
        Statement s = c.createStatement()) {
      s.execute("set plan_cache_mode = force_generic_plan");
      s.execute(
          "prepare pick(text, int, text) as select id from public.orders where"
              + " (public.orders.id = (cast($1 as uuid[]))[$2]"
              + " and public.orders.tenant_id = cast($3 as uuid))");
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs =
          s.executeQuery(
              "explain execute pick('{00000000-0000-7000-8000-000000000000}', 1,"
                  + " '00000000-0000-4000-8000-000000000000')")) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      assertThat(plan.toString()).contains("Index Scan using orders_pkey");
    }
  }

  @Test
  void createOrder_failsWhenTheSchemaNoLongerFitsTheScripts() throws SQLException {
    DatabaseTarget drifted = dbs.orders().withDatabase("orders_drifted");
    try (Connection c = dbs.orders().withDatabase("postgres").connect();
        Statement s = c.createStatement()) {
      s.execute("create database orders_drifted template lattice_orders");
    }
    try (Connection c = drifted.connect();
        Statement s = c.createStatement()) {
      s.execute("alter table order_lines rename column sku to stock_keeping_unit");
    }

    assertThatThrownBy(
            () ->
                PgbenchCeiling.createOrder(
                    drifted,
                    dbs.inventory(),
                    PgbenchCeiling.Settings.forLines(List.of(1), ONE_SECOND, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("create_order_orders.sql")
        .hasMessageContaining("column \"sku\" of relation \"order_lines\" does not exist");
  }

  /** Rows of every table a CreateOrder writes. */
  private static List<Long> rowCounts(DatabaseTarget orders) throws SQLException {
    try (Connection c = orders.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select (select count(*) from orders), (select count(*) from order_lines),"
                    + " (select count(*) from order_status_history),"
                    + " (select count(*) from outbox_events),"
                    + " (select count(*) from idempotency_keys)")) {
      rs.next();
      return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
    }
  }
}
