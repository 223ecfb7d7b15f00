package dev.lattice.local;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * The databases of a {@link PostgresServer} on {@code 127.0.0.1:<port>}: connections as the
 * superuser, and creating, copying and dropping databases through the admin database. Each call
 * opens and closes its own connection.
 *
 * <p>Stateless and thread-safe.
 */
final class PostgresDatabases {
  static final String HOST = "127.0.0.1";
  static final String ADMIN_DATABASE = "postgres";

  private static final Driver DRIVER = new Driver();

  private PostgresDatabases() {}

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  static String jdbcUrl(int port, String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
  }

  /** Opens a connection to {@code database} as the superuser; the caller closes it. */
  static Connection connect(int port, String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", PostgresServer.USER);
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", "10");
    Connection connection = DRIVER.connect(jdbcUrl(port, database), props);
    if (connection == null) {
      throw new SQLException("pgjdbc did not accept " + jdbcUrl(port, database));
    }
    return connection;
  }

  /** Creates {@code name} unless it exists. */
  static void create(int port, String name) {
    try (Connection c = connect(port, ADMIN_DATABASE);
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + quote(name));
      }
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState())) { // duplicate_database: created concurrently
        throw new IllegalStateException(
            "cannot create database " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Creates the login role {@code name} (no superuser, no BYPASSRLS, no password: the server trusts
   * local connections) unless it exists. Roles are cluster-wide: a role made concurrently by
   * another database's fixture is fine.
   */
  static void createRuntimeRole(int port, String name) {
    try (Connection c = connect(port, ADMIN_DATABASE);
        PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      exists.setString(1, name);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE ROLE " + quote(name) + " LOGIN NOSUPERUSER NOBYPASSRLS");
      }
    } catch (SQLException e) {
      // duplicate_object, or unique_violation when two sessions create it at once
      if (!"42710".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw new IllegalStateException("cannot create role " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Creates {@code name} as a copy of {@code template}; fails if {@code name} exists. Waits up to
   * 10 s for connections to the template to go away, since PostgreSQL copies only an idle one.
   */
  static void createFromTemplate(int port, String name, String template) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (Connection c = connect(port, ADMIN_DATABASE);
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + quote(name) + " TEMPLATE " + quote(template));
        return;
      } catch (SQLException e) {
        boolean templateBusy = "55006".equals(e.getSQLState());
        if (!templateBusy || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "cannot create database " + name + " from " + template + ": " + e.getMessage(), e);
        }
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(50), "PostgreSQL");
    }
  }

  /** Drops {@code name} if it exists, disconnecting its sessions. */
  static void drop(int port, String name) {
    try (Connection c = connect(port, ADMIN_DATABASE);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
