package dev.lattice.testing.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a row-level security test reads from a service's database (decision 0018): which tables
 * carry a tenant and whether their policies are forced, what a connection sees of a table, and what
 * the runtime role may do. Stateless; each method uses the connection it is given.
 */
public final class TenantWall {

  private TenantWall() {}

  /**
   * Every table of the public schema with a {@code tenant_id} column, and whether row-level
   * security is enabled and forced on it; read from the catalog, so a new table is in it.
   */
  public static Map<String, Boolean> tenantTables(Connection connection) throws SQLException {
    Map<String, Boolean> tables = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                """
                select c.relname, c.relrowsecurity and c.relforcerowsecurity
                  from pg_class c
                  join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                   and not a.attisdropped
                 order by c.relname
                """)) {
      while (rows.next()) {
        tables.put(rows.getString(1), rows.getBoolean(2));
      }
    }
    return tables;
  }

  /** The tenants of the rows of {@code table} that {@code connection} sees, one per row. */
  public static List<UUID> tenantsSeen(Connection connection, String table) throws SQLException {
    List<UUID> tenants = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select tenant_id from " + table)) {
      while (rows.next()) {
        tenants.add(rows.getObject(1, UUID.class));
      }
    }
    return tenants;
  }

  /** Sets the tenant of the open transaction of {@code connection}, as the platform does. */
  public static void setTenant(Connection connection, UUID tenant) throws SQLException {
    try (PreparedStatement set =
        connection.prepareStatement("select set_config('lattice.tenant_id', ?, true)")) {
      set.setString(1, tenant.toString());
      set.executeQuery().close();
    }
  }

  /**
   * Whether {@code role} could see past the policies: a superuser, a role with BYPASSRLS, or the
   * owner of a relation of the public schema.
   */
  public static boolean passesTheWall(Connection connection, String role) throws SQLException {
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
}
