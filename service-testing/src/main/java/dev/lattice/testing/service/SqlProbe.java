package dev.lattice.testing.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a service's database behind its back, as a test checks what a call wrote: a fresh
 * connection per query from {@code connections}.
 */
public final class SqlProbe {

  /** Opens a connection to the database under test. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  private final Connections connections;

  public SqlProbe(Connections connections) {
    this.connections = connections;
  }

  /** The first column of the first row of {@code sql}, or null. */
  public Object value(String sql, Object... params) {
    List<Object> column = column(sql, 1, params);
    return column.isEmpty() ? null : column.get(0);
  }

  /** {@link #value} as a long (counts). */
  public long longValue(String sql, Object... params) {
    return ((Number) value(sql, params)).longValue();
  }

  /** The first column of every row of {@code sql}, as text. */
  public List<String> strings(String sql, Object... params) {
    return column(sql, Integer.MAX_VALUE, params).stream()
        .map(v -> v == null ? null : v.toString())
        .toList();
  }

  private List<Object> column(String sql, int limit, Object... params) {
    try (Connection connection = connections.open();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      List<Object> out = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (out.size() < limit && rows.next()) {
          out.add(rows.getObject(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
