package dev.lattice.orders;

import static dev.lattice.orders.store.jooq.Tables.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.orders.v1.Order;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.Transactions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security on orders' tables (decision 0018): as the role the service works as, a
 * connection sees and writes only the rows of the tenant its transaction names, and none without
 * one, whatever the query's own filter says. Two tenants each place an order through the API.
 */
final class OrdersRowLevelSecurityIT extends OrdersTestBase {

  /** Orders' tenant-scoped tables; {@link #everyTenantTable_isUnderForcedRowLevelSecurity}. */
  private static final List<String> TENANT_TABLES =
      List.of("orders", "order_lines", "order_status_history");

  /**
   * The platform's tables that carry a tenant and are not under row-level security yet: their
   * policies need the relay, the idempotency keys' purge and the operators' outbox status to run
   * across tenants in every service first (decision 0018, "what is left").
   */
  private static final List<String> PLATFORM_TABLES_WITHOUT_POLICY =
      List.of("outbox_events", "idempotency_keys");

  private UUID tenantA;
  private UUID tenantB;
  private Order orderA;
  private Order orderB;
  private Database runtime;

  @BeforeEach
  void twoTenantsWithAnOrderEach() {
    tenantA = tenant;
    orderA = place(alice, request(teapot, 1));
    newTenant();
    tenantB = tenant;
    orderB = place(alice, request(teapot, 2));
    runtime =
        Database.open(
            DbConfig.of(ordersDb.jdbcUrl(), ordersDb.runtimeRole(), "", "rls-it").withPoolSize(1));
  }

  @AfterEach
  void closeRuntimePool() {
    runtime.close();
  }

  @Test
  void runtimeRole_noTenantSet_seesNoRowAndCannotInsert() throws SQLException {
    try (Connection owner = ordersDb.connect();
        Connection connection = asRuntimeRole()) {
      for (String table : TENANT_TABLES) {
        assertThat(count(owner, table)).as("rows of %s", table).isPositive();
        assertThat(count(connection, table)).as("rows of %s seen", table).isZero();
      }
      assertThatThrownBy(() -> insertOrder(connection, tenantA))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
    }
  }

  @Test
  void runtimeRole_tenantASet_seesOnlyARowsAndCannotWriteB() throws SQLException {
    try (Connection connection = asRuntimeRole()) {
      connection.setAutoCommit(false);
      setTenant(connection, tenantA);
      for (String table : TENANT_TABLES) {
        assertThat(tenants(connection, table)).as("tenants of %s", table).containsOnly(tenantA);
      }
      assertThat(updateCancellationNote(connection, UUID.fromString(orderB.getId()))).isZero();
      assertThat(updateCancellationNote(connection, UUID.fromString(orderA.getId()))).isOne();
      assertThatThrownBy(() -> insertOrder(connection, tenantB))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
      connection.rollback();
      setTenant(connection, tenantA);
      assertThatThrownBy(() -> moveToTenant(connection, UUID.fromString(orderA.getId()), tenantB))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
      connection.rollback();
    }
  }

  @Test
  void queryWithoutTenantFilter_returnsNoOtherTenantsRow() {
    UUID idOfB = UUID.fromString(orderB.getId());
    Optional<OrdersRecord> seenByA =
        Transactions.inTenantTransaction(
            runtime.dsl(),
            tenantA,
            tx -> tx.selectFrom(ORDERS).where(ORDERS.ID.eq(idOfB)).fetchOptional());
    Optional<OrdersRecord> seenByB =
        Transactions.inTenantTransaction(
            runtime.dsl(),
            tenantB,
            tx -> tx.selectFrom(ORDERS).where(ORDERS.ID.eq(idOfB)).fetchOptional());
    int acrossTenants =
        Transactions.acrossTenants(
            runtime.dsl(), tx -> tx.fetchCount(ORDERS, ORDERS.TENANT_ID.in(tenantA, tenantB)));
    assertThat(seenByA).isEmpty();
    assertThat(seenByB).isPresent();
    assertThat(acrossTenants).isEqualTo(2);
  }

  @Test
  void readAsTenant_withoutTenantFilter_returnsNoOtherTenantsRow() {
    RenderedStatement byIdOnly =
        RenderedStatement.of(
            DSL.select(ORDERS.ID).from(ORDERS).where(ORDERS.ID.eq(DSL.param("id", ORDERS.ID))),
            "id");
    UUID idOfB = UUID.fromString(orderB.getId());
    RenderedStatement.ResultReader<Boolean> found = ResultSet::next;
    assertThat(byIdOnly.readAsTenant(runtime.dsl(), tenantA, found, idOfB)).isFalse();
    assertThat(byIdOnly.readAsTenant(runtime.dsl(), tenantB, found, idOfB)).isTrue();
  }

  @Test
  void tenantOfATransaction_endsWithIt() {
    Transactions.inTenantTransaction(runtime.dsl(), tenantA, tx -> tx.fetchCount(ORDERS));
    assertThat(runtime.dsl().fetchCount(ORDERS)).isZero();
  }

  @Test
  void tenantOfAReadOutsideATransaction_endsWithTheRead() {
    UUID idOfA = UUID.fromString(orderA.getId());
    assertThat(OrderStore.find(runtime.dsl(), tenantA, idOfA)).isPresent();
    assertThat(runtime.dsl().fetchCount(ORDERS)).isZero();
  }

  @Test
  void runtimeRole_ownsNoTableAndCannotBypassPolicies() throws SQLException {
    try (Connection owner = ordersDb.connect();
        PreparedStatement role =
            owner.prepareStatement(
                "select rolsuper, rolbypassrls from pg_roles where rolname = ?");
        PreparedStatement owned =
            owner.prepareStatement(
                "select count(*) from pg_class c join pg_roles r on r.oid = c.relowner"
                    + " where r.rolname = ?")) {
      role.setString(1, ordersDb.runtimeRole());
      try (ResultSet row = role.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getBoolean(1)).as("superuser").isFalse();
        assertThat(row.getBoolean(2)).as("bypassrls").isFalse();
      }
      owned.setString(1, ordersDb.runtimeRole());
      try (ResultSet row = owned.executeQuery()) {
        row.next();
        assertThat(row.getLong(1)).as("relations owned").isZero();
      }
    }
  }

  @Test
  void everyTenantTable_isUnderForcedRowLevelSecurity() throws SQLException {
    List<String> unprotected = new ArrayList<>();
    List<String> tenantTables = new ArrayList<>();
    try (Connection owner = ordersDb.connect();
        Statement statement = owner.createStatement();
        ResultSet rows =
            statement.executeQuery(
                """
                select c.relname, c.relrowsecurity and c.relforcerowsecurity
                  from pg_class c
                  join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                   and not a.attisdropped
                """)) {
      while (rows.next()) {
        tenantTables.add(rows.getString(1));
        if (!rows.getBoolean(2)) {
          unprotected.add(rows.getString(1));
        }
      }
    }
    assertThat(tenantTables).containsAll(TENANT_TABLES);
    assertThat(unprotected).containsExactlyInAnyOrderElementsOf(PLATFORM_TABLES_WITHOUT_POLICY);
  }

  private Connection asRuntimeRole() throws SQLException {
    return DriverManager.getConnection(ordersDb.jdbcUrl(), ordersDb.runtimeRole(), "");
  }

  private static void setTenant(Connection connection, UUID tenant) throws SQLException {
    try (PreparedStatement set =
        connection.prepareStatement("select set_config('lattice.tenant_id', ?, true)")) {
      set.setString(1, tenant.toString());
      set.executeQuery().close();
    }
  }

  private static long count(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("select count(*) from " + table)) {
      row.next();
      return row.getLong(1);
    }
  }

  private static List<UUID> tenants(Connection connection, String table) throws SQLException {
    List<UUID> tenants = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select tenant_id from " + table)) {
      while (rows.next()) {
        tenants.add(rows.getObject(1, UUID.class));
      }
    }
    return tenants;
  }

  private static int updateCancellationNote(Connection connection, UUID orderId)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement("update orders set cancellation_note = 'seen' where id = ?")) {
      update.setObject(1, orderId);
      return update.executeUpdate();
    }
  }

  private static void moveToTenant(Connection connection, UUID orderId, UUID tenant)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement("update orders set tenant_id = ? where id = ?")) {
      update.setObject(1, tenant);
      update.setObject(2, orderId);
      update.executeUpdate();
    }
  }

  private static void insertOrder(Connection connection, UUID tenant) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into orders (id, tenant_id, customer_id, currency, total_amount_minor)"
                + " values (?, ?, ?, 'EUR', 100)")) {
      insert.setObject(1, UUID.randomUUID());
      insert.setObject(2, tenant);
      insert.setObject(3, UUID.randomUUID());
      insert.executeUpdate();
    }
  }
}
