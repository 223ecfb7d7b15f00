package dev.lattice.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.tools.jdbc.DefaultConnection;

/**
 * jOOQ's connections from the pool, each answering {@link Connection#getTransactionIsolation()}
 * from what it knows instead of asking the server. jOOQ's transaction provider reads the isolation
 * level at the start of every transaction, and pgjdbc answers that with a {@code SHOW TRANSACTION
 * ISOLATION LEVEL} round trip: one extra statement per transaction, for a value that cannot differ.
 * The pool hands every connection out at {@code READ COMMITTED} (configured on HikariCP, which
 * resets a connection whose level was changed when it returns); a level set through JDBC is
 * remembered by the wrapper. Serializable work sets its level in SQL inside the transaction ({@link
 * Transactions}), which ends with it. Thread-safe; each connection is used by one thread at a time,
 * as JDBC requires.
 */
final class KnownIsolationConnections extends DataSourceConnectionProvider {

  /** The level every connection of the pool starts at. */
  static final int POOL_ISOLATION = Connection.TRANSACTION_READ_COMMITTED;

  KnownIsolationConnections(DataSource dataSource) {
    super(dataSource);
  }

  @Override
  public Connection acquire() {
    return new KnownIsolation(super.acquire());
  }

  /** A pooled connection that remembers its isolation level. */
  private static final class KnownIsolation extends DefaultConnection {
    private int isolation = POOL_ISOLATION;

    KnownIsolation(Connection delegate) {
      super(delegate);
    }

    @Override
    public int getTransactionIsolation() {
      return isolation;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
      getDelegate().setTransactionIsolation(level);
      isolation = level;
    }
  }
}
