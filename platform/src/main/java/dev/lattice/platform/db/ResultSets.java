package dev.lattice.platform.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;

/**
 * Rows of a jOOQ query read straight from its JDBC result by a {@link RenderedStatement.RowMapper}:
 * for a store that reads the same rows through a {@link RenderedStatement} on its hot path and
 * through a query built per call elsewhere (a page with filters), so both share one mapper and
 * neither goes through jOOQ's records. Stateless.
 */
public final class ResultSets {

  private ResultSets() {}

  /** Runs {@code query} and maps every row of its result with {@code mapper}. */
  public static <T> List<T> fetch(ResultQuery<?> query, RenderedStatement.RowMapper<T> mapper) {
    try (ResultSet rs = query.fetchResultSet()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw new DataAccessException("reading the rows of " + query.getSQL() + ": " + e, e);
    }
  }
}
