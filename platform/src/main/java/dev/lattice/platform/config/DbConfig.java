package dev.lattice.platform.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a service reaches its PostgreSQL database.
 *
 * <p>{@link #fromEnv(Env, String)} reads these variables (prefix {@code LATTICE_DB_}):
 *
 * <table>
 *   <caption>Database variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_DB_URL}</td><td>required</td>
 *       <td>JDBC URL, {@code jdbc:postgresql://host:5432/lattice_orders}</td></tr>
 *   <tr><td>{@code LATTICE_DB_USER}</td><td>required</td>
 *       <td>the role the service works as: with a migration role of its own, it must own no table,
 *       be no superuser and not bypass row-level security (decision 0018)</td></tr>
 *   <tr><td>{@code LATTICE_DB_PASSWORD}</td><td>empty</td><td>password (never logged)</td></tr>
 *   <tr><td>{@code LATTICE_DB_MIGRATION_USER}</td><td>{@code LATTICE_DB_USER}</td>
 *       <td>the role that runs the migrations and owns the tables; when it differs from {@code
 *       LATTICE_DB_USER}, the service grants that role what it needs at start, and checks it</td></tr>
 *   <tr><td>{@code LATTICE_DB_MIGRATION_PASSWORD}</td>
 *       <td>{@code LATTICE_DB_PASSWORD} when the migration role is the same, else empty</td>
 *       <td>its password (never logged)</td></tr>
 *   <tr><td>{@code LATTICE_DB_POOL_SIZE}</td><td>10</td>
 *       <td>maximum pool connections, 1–200; 8–16 is the measured sweet spot</td></tr>
 *   <tr><td>{@code LATTICE_DB_CONNECT_TIMEOUT}</td><td>5s</td>
 *       <td>TCP connect timeout, also the longest wait for a pooled connection</td></tr>
 *   <tr><td>{@code LATTICE_DB_SOCKET_TIMEOUT}</td><td>30s</td>
 *       <td>longest wait for any read from the server: bounds every statement</td></tr>
 * </table>
 *
 * @param url JDBC URL
 * @param user database role
 * @param password password, empty for none; {@link #toString()} hides it
 * @param poolSize maximum pool connections, at least 1
 * @param connectTimeout TCP connect timeout and pool checkout timeout, at least 250 ms
 * @param socketTimeout read timeout on the socket, zero for none
 * @param applicationName reported to PostgreSQL ({@code pg_stat_activity.application_name})
 * @param migrationUser the role that runs the migrations and owns the tables
 * @param migrationPassword its password, empty for none; {@link #toString()} hides it
 */
public record DbConfig(
    String url,
    String user,
    String password,
    int poolSize,
    Duration connectTimeout,
    Duration socketTimeout,
    String applicationName,
    String migrationUser,
    String migrationPassword) {

  /** The default maximum pool size. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** The default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The default socket (read) timeout. */
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

  /** Checks the values. */
  public DbConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(applicationName, "applicationName");
    Objects.requireNonNull(migrationUser, "migrationUser");
    Objects.requireNonNull(migrationPassword, "migrationPassword");
    if (user.isBlank() || migrationUser.isBlank()) {
      throw new IllegalArgumentException("user and migrationUser must not be blank");
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("url must start with jdbc:postgresql:");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
    }
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException("connectTimeout must be at least 250ms");
    }
    if (socketTimeout.isNegative()) {
      throw new IllegalArgumentException("socketTimeout must not be negative");
    }
  }

  /** A configuration whose one role both migrates and works (no second wall: decision 0018). */
  public DbConfig(
      String url,
      String user,
      String password,
      int poolSize,
      Duration connectTimeout,
      Duration socketTimeout,
      String applicationName) {
    this(
        url,
        user,
        password,
        poolSize,
        connectTimeout,
        socketTimeout,
        applicationName,
        user,
        password);
  }

  /** A configuration with the default pool size and timeouts. */
  public static DbConfig of(String url, String user, String password, String applicationName) {
    return new DbConfig(
        url,
        user,
        password,
        DEFAULT_POOL_SIZE,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_SOCKET_TIMEOUT,
        applicationName);
  }

  /** Reads the {@code LATTICE_DB_*} variables described above. */
  public static DbConfig fromEnv(Env env, String applicationName) {
    return fromEnv(env, "LATTICE_DB_", applicationName);
  }

  /**
   * Reads the variables described above with another prefix, such as {@code LATTICE_AUDIT_DB_}.
   *
   * @throws ConfigException naming the variable that is missing or malformed
   */
  public static DbConfig fromEnv(Env env, String prefix, String applicationName) {
    String url = env.requiredString(prefix + "URL");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(prefix + "URL must start with jdbc:postgresql:");
    }
    Duration connectTimeout = env.duration(prefix + "CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT);
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new ConfigException(prefix + "CONNECT_TIMEOUT must be at least 250ms");
    }
    String user = env.requiredString(prefix + "USER");
    String password = env.string(prefix + "PASSWORD", "");
    String migrationUser = env.string(prefix + "MIGRATION_USER", user);
    String migrationPassword =
        env.string(prefix + "MIGRATION_PASSWORD", migrationUser.equals(user) ? password : "");
    return new DbConfig(
        url,
        user,
        password,
        env.integer(prefix + "POOL_SIZE", DEFAULT_POOL_SIZE, 1, 200),
        connectTimeout,
        env.duration(prefix + "SOCKET_TIMEOUT", DEFAULT_SOCKET_TIMEOUT),
        applicationName,
        migrationUser,
        migrationPassword);
  }

  /** A copy with another pool size. */
  public DbConfig withPoolSize(int newPoolSize) {
    return new DbConfig(
        url,
        user,
        password,
        newPoolSize,
        connectTimeout,
        socketTimeout,
        applicationName,
        migrationUser,
        migrationPassword);
  }

  /** True when the migrations run as a role of their own, which owns the tables. */
  public boolean separateMigrationRole() {
    return !migrationUser.equals(user);
  }

  @Override
  public String toString() {
    return "DbConfig[url="
        + url
        + ", user="
        + user
        + ", password="
        + (password.isEmpty() ? "(none)" : "(hidden)")
        + ", poolSize="
        + poolSize
        + ", connectTimeout="
        + connectTimeout
        + ", socketTimeout="
        + socketTimeout
        + ", applicationName="
        + applicationName
        + ", migrationUser="
        + migrationUser
        + ", migrationPassword="
        + (migrationPassword.isEmpty() ? "(none)" : "(hidden)")
        + "]";
  }
}
