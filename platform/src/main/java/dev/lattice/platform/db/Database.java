package dev.lattice.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lattice.platform.config.DbConfig;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

/**
 * A service's connection pool (HikariCP) and the jOOQ {@link DSLContext} on top of it.
 *
 * <p>Connections are PostgreSQL (pgjdbc) with: a TCP connect timeout and pool checkout timeout of
 * {@link DbConfig#connectTimeout()}; a socket read timeout of {@link DbConfig#socketTimeout()},
 * which bounds every statement; TCP keepalive, so dead peers are noticed; and the application name
 * shown in {@code pg_stat_activity}; every connection at {@code READ COMMITTED}, which jOOQ is told
 * without a round trip ({@link KnownIsolationConnections}). Hikari validates connections with JDBC4
 * {@code isValid()} before handing them out (within 2 s) and retires them after 30 min.
 *
 * <p>Opening does not wait for the database: the pool connects lazily, so a service can start (and
 * report NOT_SERVING) while PostgreSQL is still coming up. Use {@link Migrations} to migrate before
 * serving.
 *
 * <p>Thread-safe. {@link #close()} closes the pool, waiting for borrowed connections to return.
 */
public final class Database implements AutoCloseable {

  static {
    // jOOQ prints a banner and "tips" on first use; keep service logs free of them unless asked.
    if (System.getProperty("org.jooq.no-logo") == null) {
      System.setProperty("org.jooq.no-logo", "true");
    }
    if (System.getProperty("org.jooq.no-tips") == null) {
      System.setProperty("org.jooq.no-tips", "true");
    }
  }

  private final HikariDataSource dataSource;
  private final DSLContext dsl;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.dsl =
        DSL.using(
            new DefaultConfiguration()
                .set(new KnownIsolationConnections(dataSource))
                .set(SQLDialect.POSTGRES)
                .set(settings())
                .set(TenantScope.FLUSH));
  }

  /** Opens a pool as configured. */
  public static Database open(DbConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName(config.applicationName() + "-db");
    hikari.setJdbcUrl(config.url());
    hikari.setUsername(config.user());
    hikari.setPassword(config.password());
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setMinimumIdle(Math.min(2, config.poolSize()));
    hikari.setConnectionTimeout(config.connectTimeout().toMillis());
    hikari.setValidationTimeout(Math.min(2_000, config.connectTimeout().toMillis() - 1));
    hikari.setMaxLifetime(30 * 60_000L);
    hikari.setIdleTimeout(10 * 60_000L);
    // Fail lazily: the first checkout reports an unreachable database, not the constructor.
    hikari.setInitializationFailTimeout(-1);
    // Every connection starts at READ COMMITTED, which KnownIsolationConnections tells jOOQ
    // without a round trip.
    hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // pgjdbc takes these timeouts in whole seconds.
    hikari.addDataSourceProperty("connectTimeout", ceilSeconds(config.connectTimeout().toMillis()));
    hikari.addDataSourceProperty("socketTimeout", ceilSeconds(config.socketTimeout().toMillis()));
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    hikari.addDataSourceProperty("ApplicationName", config.applicationName());
    hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new Database(new HikariDataSource(hikari));
  }

  /** The pooled data source, for Flyway and plain JDBC. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * The jOOQ context: PostgreSQL dialect; identifiers rendered quoted only where needed, so
   * generated SQL stays readable in logs and {@code pg_stat_statements}.
   */
  public DSLContext dsl() {
    return dsl;
  }

  /** Closes the pool. Idempotent. */
  @Override
  public void close() {
    dataSource.close();
  }

  /** The jOOQ settings Lattice uses. */
  public static Settings settings() {
    return new Settings()
        .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
        .withExecuteLogging(false);
  }

  private static String ceilSeconds(long millis) {
    return Long.toString((millis + 999) / 1000);
  }
}
