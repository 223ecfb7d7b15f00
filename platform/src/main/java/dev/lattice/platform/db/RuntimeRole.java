package dev.lattice.platform.db;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.DbConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The role a service works as when its migrations run as another, the tables' owner (decision
 * 0018): {@link #grant} gives it what the service needs on the tables the migrations made, {@link
 * #check} refuses one that row-level security would not hold.
 *
 * <p>The runtime role itself is made by whoever provisions the database (the launcher, the test
 * fixtures, the deployment), as a login role without {@code SUPERUSER} or {@code BYPASSRLS}; roles
 * are cluster-wide, so several databases on one server share it.
 *
 * <p>Stateless and thread-safe.
 */
public final class RuntimeRole {

  /** Roles a migration made and took for itself (audit's writer), which the service switches to. */
  private static final String MIGRATION_ROLES =
      """
      select granted.rolname
        from pg_auth_members m
        join pg_roles granted on granted.oid = m.roleid
        join pg_roles member on member.oid = m.member
       where member.rolname = current_user and granted.rolname like 'lattice\\_%'
      """;

  private static final String CHECK =
      """
      select r.rolsuper, r.rolbypassrls,
             exists (select 1 from pg_class c
                      where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace)
        from pg_roles r
       where r.rolname = current_user
      """;

  private static final Logger log = LoggerFactory.getLogger(RuntimeRole.class);

  private RuntimeRole() {}

  /**
   * At a service's start, after its migrations: {@link #grant}, then {@link #check}; with one role
   * for both, a warning that the tables' owner works on them.
   *
   * @throws ConfigException naming {@code LATTICE_DB_USER} for a role that would pass the policies
   * @throws IllegalStateException when either role cannot connect or the grants fail
   */
  public static void prepare(DataSource runtime, DbConfig config) {
    try {
      grant(config);
      check(runtime, config);
    } catch (SQLException e) {
      throw new IllegalStateException(
          config.applicationName() + ": cannot prepare the runtime role: " + e.getMessage(), e);
    }
    if (!config.separateMigrationRole()) {
      log.warn(
          "{}: LATTICE_DB_USER {} also runs the migrations: it owns the tables and may turn their"
              + " row-level security off (decision 0018)",
          config.applicationName(),
          config.user());
    }
  }

  /**
   * As the migration role: lets the runtime role use the schema, read and write every table and
   * sequence in it, and switch to the roles the migrations made for themselves ({@code lattice_*},
   * such as audit's writer). Safe to repeat; does nothing when one role does both.
   *
   * @throws SQLException when the migration role cannot connect or grant
   */
  public static void grant(DbConfig config) throws SQLException {
    if (!config.separateMigrationRole()) {
      return;
    }
    Properties properties = new Properties();
    properties.setProperty("user", config.migrationUser());
    properties.setProperty("password", config.migrationPassword());
    properties.setProperty("ApplicationName", config.applicationName() + "-migrations");
    try (Connection connection = DriverManager.getConnection(config.url(), properties);
        Statement statement = connection.createStatement()) {
      String role = quoted(config.user());
      statement.execute("grant usage on schema public to " + role);
      statement.execute(
          "grant select, insert, update, delete on all tables in schema public to " + role);
      statement.execute("grant usage, select on all sequences in schema public to " + role);
      for (String granted : migrationRoles(connection)) {
        statement.execute("grant " + quoted(granted) + " to " + role);
      }
    }
  }

  /**
   * As the runtime role, through {@code runtime}: refuses a role that owns a table of the schema,
   * is a superuser or bypasses row-level security, since policies would not hold it. Does nothing
   * when one role does both (the deployment chose no second wall).
   *
   * @throws ConfigException naming {@code LATTICE_DB_USER} for such a role
   * @throws SQLException when the runtime role cannot connect
   */
  public static void check(DataSource runtime, DbConfig config) throws SQLException {
    if (!config.separateMigrationRole()) {
      return;
    }
    try (Connection connection = runtime.getConnection();
        PreparedStatement statement = connection.prepareStatement(CHECK);
        ResultSet row = statement.executeQuery()) {
      row.next();
      String problem =
          row.getBoolean(1)
              ? "is a superuser"
              : row.getBoolean(2)
                  ? "bypasses row-level security"
                  : row.getBoolean(3) ? "owns tables of the schema" : null;
      if (problem != null) {
        throw new ConfigException(
            "LATTICE_DB_USER names role "
                + config.user()
                + ", which "
                + problem
                + ": row-level security would not hold it (decision 0018); name a role of its own,"
                + " without SUPERUSER or BYPASSRLS, that owns no table");
      }
    }
  }

  private static List<String> migrationRoles(Connection connection) throws SQLException {
    List<String> roles = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(MIGRATION_ROLES)) {
      while (rows.next()) {
        roles.add(rows.getString(1));
      }
    }
    return roles;
  }

  private static String quoted(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
