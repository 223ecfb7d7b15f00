package dev.lattice.bench.ceiling;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Where one service database is: the coordinates both JDBC and {@code pgbench} are given.
 *
 * @param host the server's host name or address, e.g. {@code 127.0.0.1}
 * @param port the server's TCP port
 * @param user the role to connect as
 * @param password its password; empty when the server trusts the connection
 * @param database the database name, e.g. {@code lattice_orders}
 */
public record DatabaseTarget(String host, int port, String user, String password, String database) {

  public DatabaseTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(database, "database");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** {@code jdbc:postgresql://host:port/database}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** The same server and role, another database. */
  public DatabaseTarget withDatabase(String otherDatabase) {
    return new DatabaseTarget(host, port, user, password, otherDatabase);
  }

  /** The same server and database, another role (one the server trusts: no password). */
  public DatabaseTarget asUser(String otherUser) {
    return new DatabaseTarget(host, port, otherUser, "", database);
  }

  /**
   * Opens a connection; the caller closes it.
   *
   * @throws SQLException if the server refuses it
   */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user, password);
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database;
  }
}
