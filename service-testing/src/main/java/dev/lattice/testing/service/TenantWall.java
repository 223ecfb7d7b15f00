package dev.lattice.testing.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The test of PostgreSQL's tenant wall (decision 0018) that every service's row-level security IT
 * implements: JUnit runs its tests in the implementing class, which names only its database, its
 * two tenants (by default {@link #TENANT_A} and {@link #TENANT_B}; each with a row in every table
 * of {@link #tenantTables()}, made before the tests) and its queries without a tenant filter.
 *
 * <ul>
 *   <li>Every table of the schema with a {@code tenant_id} column, read from the catalog (so a new
 *       table without a policy fails), has row-level security enabled and forced and the policy
 *       {@value #POLICY} for every command.
 *   <li>The runtime role is no superuser, has no BYPASSRLS and owns nothing.
 *   <li>With no tenant set it sees no tenant's row of any of those tables (only global rows, whose
 *       tenant is null, such as identity's built-in roles).
 *   <li>With tenant A set it sees only A's rows (and global rows, whose tenant is null), and a
 *       query with the application's tenant filter removed returns none of B's rows.
 *   <li>Writes into B fail with SQLSTATE {@code 42501}: an insert of a copy of A's row as B's, and
 *       an update moving A's rows to B; B's rows cannot be updated or deleted (0 rows).
 * </ul>
 *
 * <p>The connections are plain JDBC, set up as the platform's {@code TenantScope} sets them.
 */
public interface TenantWall {

  /** The name of the policy every tenant-scoped table carries. */
  String POLICY = "tenant_isolation";

  /** SQLSTATE insufficient_privilege: what a write a policy refuses fails with. */
  String REFUSED = "42501";

  /**
   * What PostgreSQL says of a row a policy refuses, which a missing grant (also {@value #REFUSED})
   * does not.
   */
  String REFUSAL = "violates row-level security policy";

  /** The service's database: its tables' owner is the extension's user (the migration role). */
  PostgresExtension database();

  /** A connection to the service's database as the tables' owner (the migration role). */
  default Connection connectAsOwner() throws SQLException {
    return database().connect();
  }

  /** A connection to the service's database as the role the service works as. */
  default Connection connectAsRuntimeRole() throws SQLException {
    return DriverManager.getConnection(database().jdbcUrl(), runtimeRole(), "");
  }

  /** The name of the role the service works as. */
  default String runtimeRole() {
    return database().runtimeRole();
  }

  /** The default {@link #tenantA()}: random, one per test JVM (each IT has its own database). */
  UUID TENANT_A = UUID.randomUUID();

  /** The default {@link #tenantB()}. */
  UUID TENANT_B = UUID.randomUUID();

  /** The tenant whose transaction looks; {@link #TENANT_A} unless the rows come with their own. */
  default UUID tenantA() {
    return TENANT_A;
  }

  /** The other tenant, whose rows A must not see or write; {@link #TENANT_B} by default. */
  default UUID tenantB() {
    return TENANT_B;
  }

  /**
   * The service's own tenant-scoped tables, each holding rows of both tenants when the tests run;
   * the catalog must have every one of them with a {@code tenant_id} column.
   */
  Set<String> tenantTables();

  /**
   * Queries that name one of B's rows without any tenant filter, as the application's queries would
   * if their filter were forgotten: each returns a row as B and none as A.
   */
  List<Query> queriesWithoutTenantFilter();

  /**
   * Tables whose rows no one may update (a trigger refuses it before the policy is asked): the
   * update that moves A's rows to B must fail there too, whatever its SQLSTATE.
   */
  default Set<String> appendOnlyTables() {
    return Set.of();
  }

  /**
   * A query and its parameters.
   *
   * @param sql the statement, with {@code ?} placeholders
   * @param parameters its parameters, in order
   */
  record Query(String sql, Object... parameters) {}

  @Test
  default void everyTenantTable_isForcedUnderTheTenantPolicy() throws SQLException {
    try (Connection owner = connectAsOwner()) {
      Map<String, String> tables = tenantTablesIn(owner);
      assertThat(tables.keySet())
          .as("tenant-scoped tables in the catalog")
          .containsAll(tenantTables())
          .contains("outbox_events", "idempotency_keys");
      assertThat(tables)
          .as("tables whose row-level security is not forced under %s for every command", POLICY)
          .allSatisfy((table, state) -> assertThat(state).as(table).isEqualTo("forced"));
    }
  }

  @Test
  default void runtimeRole_cannotPassTheWall() throws SQLException {
    try (Connection owner = connectAsOwner()) {
      assertThat(passesTheWall(owner, runtimeRole())).isFalse();
    }
  }

  @Test
  default void noTenantSet_seesNoRow() throws SQLException {
    try (Connection owner = connectAsOwner();
        Connection runtime = connectAsRuntimeRole()) {
      for (String table : tenantTables()) {
        assertThat(tenantsSeen(owner, table))
            .as("rows of %s", table)
            .contains(tenantA(), tenantB());
      }
      for (String table : tenantTablesIn(owner).keySet()) {
        assertThat(tenantsSeen(runtime, table))
            .as("rows of %s seen", table)
            .filteredOn(Objects::nonNull)
            .isEmpty();
      }
    }
  }

  @Test
  default void tenantASet_seesOnlyItsOwnRows() throws SQLException {
    try (Connection owner = connectAsOwner();
        Connection runtime = connectAsRuntimeRole()) {
      Set<String> tables = tenantTablesIn(owner).keySet();
      runtime.setAutoCommit(false);
      setTenant(runtime, tenantA());
      for (String table : tables) {
        List<UUID> seen = tenantsSeen(runtime, table);
        assertThat(seen).as("tenants of %s", table).doesNotContain(tenantB());
        assertThat(seen.stream().filter(Objects::nonNull))
            .as("tenants of %s", table)
            .allMatch(tenantA()::equals);
        if (tenantTables().contains(table)) {
          assertThat(seen).as("tenants of %s", table).contains(tenantA());
        }
      }
      runtime.rollback();
    }
  }

  @Test
  default void queryWithoutTenantFilter_returnsNoOtherTenantsRow() throws SQLException {
    assertThat(queriesWithoutTenantFilter()).isNotEmpty();
    try (Connection runtime = connectAsRuntimeRole()) {
      runtime.setAutoCommit(false);
      for (Query query : queriesWithoutTenantFilter()) {
        setTenant(runtime, tenantA());
        assertThat(rows(runtime, query)).as("rows of B seen by A: %s", query.sql()).isZero();
        runtime.rollback();
        setTenant(runtime, tenantB());
        assertThat(rows(runtime, query)).as("rows of B seen by B: %s", query.sql()).isPositive();
        runtime.rollback();
      }
    }
  }

  @Test
  default void writesIntoAnotherTenant_failOrChangeNothing() throws SQLException {
    try (Connection owner = connectAsOwner();
        Connection runtime = connectAsRuntimeRole()) {
      runtime.setAutoCommit(false);
      for (String table : tenantTables()) {
        List<String> columns = insertableColumns(owner, table);
        setTenant(runtime, tenantA());
        assertThatThrownBy(() -> copyAsB(runtime, table, columns))
            .as("insert into %s of a row of B", table)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining(REFUSAL)
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo(REFUSED);
        runtime.rollback();
        setTenant(runtime, tenantA());
        var moved =
            assertThatThrownBy(() -> update(runtime, table, "tenant_id = ?", tenantA()))
                .as("update of %s moving A's rows to B", table)
                .isInstanceOf(SQLException.class);
        if (!appendOnlyTables().contains(table)) {
          moved.hasMessageContaining(REFUSAL);
          moved.extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(REFUSED);
        }
        runtime.rollback();
        setTenant(runtime, tenantA());
        if (!appendOnlyTables().contains(table)) {
          assertThat(update(runtime, table, "tenant_id = ?", tenantB()))
              .as("B's rows of %s updated by A", table)
              .isZero();
          assertThat(delete(runtime, table, tenantB()))
              .as("B's rows of %s deleted by A", table)
              .isZero();
        }
        runtime.rollback();
      }
    }
  }

  /**
   * Every table of the public schema with a {@code tenant_id} column, and its state: {@code forced}
   * when row-level security is enabled and forced and {@value #POLICY} applies to every command
   * with both a {@code USING} and a {@code WITH CHECK} expression on the tenant setting; otherwise
   * what is missing.
   */
  static Map<String, String> tenantTablesIn(Connection connection) throws SQLException {
    Map<String, String> tables = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                """
                select c.relname,
                       case when not c.relrowsecurity then 'row level security off'
                            when not c.relforcerowsecurity then 'not forced'
                            when not exists (
                              select 1 from pg_policy p
                               where p.polrelid = c.oid and p.polname = 'tenant_isolation'
                                 and p.polcmd = '*' and p.polpermissive
                                 and pg_get_expr(p.polqual, p.polrelid)
                                       like '%lattice.tenant_id%'
                                 and pg_get_expr(p.polwithcheck, p.polrelid)
                                       like '%lattice.tenant_id%')
                              then 'no tenant_isolation policy for every command'
                            when exists (
                              select 1 from pg_policy p
                               where p.polrelid = c.oid and p.polname <> 'tenant_isolation')
                              then 'another policy besides tenant_isolation'
                            else 'forced' end
                  from pg_class c
                  join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                   and not a.attisdropped
                 order by c.relname
                """)) {
      while (rows.next()) {
        tables.put(rows.getString(1), rows.getString(2));
      }
    }
    return tables;
  }

  /** The tenants of the rows of {@code table} that {@code connection} sees, one per row. */
  static List<UUID> tenantsSeen(Connection connection, String table) throws SQLException {
    List<UUID> tenants = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select tenant_id from " + table)) {
      while (rows.next()) {
        tenants.add(rows.getObject(1, UUID.class));
      }
    }
    return tenants;
  }

  /** Runs {@code sql} with {@code values} on {@code connection}: how a test writes its rows. */
  static void execute(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      statement.executeUpdate();
    }
  }

  /** Sets the tenant of the open transaction of {@code connection}, as the platform does. */
  static void setTenant(Connection connection, UUID tenant) throws SQLException {
    try (PreparedStatement set =
        connection.prepareStatement(
            "select set_config('lattice.tenant_id', ?, true),"
                + " set_config('lattice.all_tenants', '', true)")) {
      set.setString(1, tenant.toString());
      set.executeQuery().close();
    }
  }

  /**
   * Whether {@code role} could see past the policies: a superuser, a role with BYPASSRLS, or the
   * owner of a relation of the public schema.
   */
  static boolean passesTheWall(Connection connection, String role) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            """
            select r.rolsuper or r.rolbypassrls
                   or exists (select 1 from pg_class c
                               where c.relowner = r.oid
                                 and c.relnamespace = 'public'::regnamespace)
              from pg_roles r where r.rolname = ?
            """)) {
      statement.setString(1, role);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          throw new IllegalArgumentException("no role " + role);
        }
        return row.getBoolean(1);
      }
    }
  }

  private static int rows(Connection connection, Query query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
      for (int i = 0; i < query.parameters().length; i++) {
        statement.setObject(i + 1, query.parameters()[i]);
      }
      int rows = 0;
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows++;
        }
      }
      return rows;
    }
  }

  /** The columns of {@code table} an insert may name: neither generated nor identity always. */
  private static List<String> insertableColumns(Connection owner, String table)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement statement =
        owner.prepareStatement(
            """
            select a.attname from pg_attribute a
             where a.attrelid = ?::regclass and a.attnum > 0 and not a.attisdropped
               and a.attgenerated = '' and a.attidentity <> 'a'
             order by a.attnum
            """)) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          columns.add(rows.getString(1));
        }
      }
    }
    return columns;
  }

  /** Inserts a copy of one row {@code connection} sees of {@code table}, as a row of B. */
  private void copyAsB(Connection connection, String table, List<String> columns)
      throws SQLException {
    String names = String.join(", ", columns.stream().map(c -> '"' + c + '"').toList());
    String values =
        String.join(
            ", ",
            columns.stream().map(c -> c.equals("tenant_id") ? "?::uuid" : '"' + c + '"').toList());
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into "
                + table
                + " ("
                + names
                + ") select "
                + values
                + " from "
                + table
                + " limit 1")) {
      insert.setObject(1, tenantB());
      if (insert.executeUpdate() == 0) {
        throw new AssertionError("tenant A has no row of " + table + " to copy");
      }
    }
  }

  /** Sets {@code tenant_id} to B on the rows of {@code table} whose tenant is {@code owner}. */
  private int update(Connection connection, String table, String where, UUID owner)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement("update " + table + " set tenant_id = ? where " + where)) {
      update.setObject(1, tenantB());
      update.setObject(2, owner);
      return update.executeUpdate();
    }
  }

  private static int delete(Connection connection, String table, UUID tenant) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("delete from " + table + " where tenant_id = ?")) {
      delete.setObject(1, tenant);
      return delete.executeUpdate();
    }
  }
}
