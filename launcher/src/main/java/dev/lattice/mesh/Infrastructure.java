package dev.lattice.mesh;

import dev.lattice.local.NatsCluster;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL and NATS for the mesh, as docs/architecture.md §2 says: {@code LATTICE_DB_URL} and
 * {@code LATTICE_NATS_URL} when set, otherwise servers of the mesh's own with their data under
 * {@code .lattice/} so that it survives restarts. With {@code natsCluster}, NATS is three
 * nats-servers forming one JetStream cluster (client ports {@code natsPort} to {@code natsPort +
 * 2}, stores under {@code .lattice/nats-cluster/}) and every stream is created with three replicas.
 * Thread-safe once provisioned (its fields do not change).
 */
final class Infrastructure implements AutoCloseable {

  private final String adminJdbcUrl;
  private final String user;
  private final String password;
  private final String runtimeUser;
  private final String runtimePassword;
  private final String natsUrl;
  private int streamReplicas = 1;
  private NatsCluster natsCluster;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final List<String> description = new ArrayList<>();

  private Infrastructure(
      String adminJdbcUrl,
      String user,
      String password,
      String runtimeUser,
      String runtimePassword,
      String natsUrl) {
    this.adminJdbcUrl = adminJdbcUrl;
    this.user = user;
    this.password = password;
    this.runtimeUser = runtimeUser;
    this.runtimePassword = runtimePassword;
    this.natsUrl = natsUrl;
  }

  /**
   * {@code options} with the server settings of {@code LATTICE_POSTGRES_SETTINGS}: {@code
   * name=value} pairs separated by {@code ;} (a value may hold commas, as {@code
   * shared_preload_libraries=pg_stat_statements,auto_explain} does).
   *
   * @throws IllegalArgumentException if a pair has no {@code =} or no setting name
   */
  static PostgresServer.Options withSettings(PostgresServer.Options options, String settings) {
    PostgresServer.Options result = options;
    for (String pair : settings.split(";")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "LATTICE_POSTGRES_SETTINGS: expected name=value pairs separated by ';', got \""
                + pair.strip()
                + "\"");
      }
      result = result.withSetting(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return result;
  }

  static Infrastructure provision(
      Path root, Map<String, String> env, int pgPort, int natsPort, boolean natsClustered) {
    Path state = root.resolve(".lattice");
    String dbUrl = env.get("LATTICE_DB_URL");
    String natsUrl = env.get("LATTICE_NATS_URL");
    PostgresServer pg = null;
    NatsServer nats = null;
    NatsCluster cluster = null;
    try {
      String user;
      String password;
      String runtimeUser;
      String runtimePassword;
      if (dbUrl == null || dbUrl.isBlank()) {
        Path pgData = state.resolve("postgres");
        if (!PostgresServer.canHostDataDir(pgData)) {
          // As root the server runs as the OS user postgres, which cannot enter this checkout
          // (a 0700 folder above it): keep its data in a folder of its own, one per checkout.
          pgData =
              Path.of(
                  "/var/tmp",
                  "lattice-" + Integer.toHexString(root.toAbsolutePath().toString().hashCode()),
                  "postgres");
        }
        pg =
            PostgresServer.start(
                withSettings(
                    PostgresServer.Options.persistent(pgData, pgPort)
                        .withFsync(true) // the mesh's data is meant to last
                        .withLogFile(state.resolve("logs").resolve("postgres.log")),
                    env.getOrDefault("LATTICE_POSTGRES_SETTINGS", "")));
        dbUrl = pg.jdbcUrl("postgres");
        user = pg.user();
        password = "";
        runtimeUser = pg.runtimeRole();
        runtimePassword = "";
      } else {
        // The server's roles are the operator's: LATTICE_DB_USER works, LATTICE_DB_MIGRATION_USER
        // (by default the same role) migrates and creates the databases (decision 0018).
        runtimeUser = env.getOrDefault("LATTICE_DB_USER", "postgres");
        runtimePassword = env.getOrDefault("LATTICE_DB_PASSWORD", "");
        user = env.getOrDefault("LATTICE_DB_MIGRATION_USER", runtimeUser);
        password =
            env.getOrDefault(
                "LATTICE_DB_MIGRATION_PASSWORD", user.equals(runtimeUser) ? runtimePassword : "");
      }
      if ((natsUrl == null || natsUrl.isBlank()) && natsClustered) {
        cluster =
            NatsCluster.start(
                3,
                state.resolve("nats-cluster"),
                state.resolve("logs"),
                List.of(natsPort, natsPort + 1, natsPort + 2),
                Duration.ofSeconds(60));
        natsUrl = cluster.urls();
      } else if (natsUrl == null || natsUrl.isBlank()) {
        nats =
            NatsServer.start(
                NatsServer.Options.persistent(state.resolve("nats"), natsPort)
                    .withLogFile(state.resolve("logs").resolve("nats.log")));
        natsUrl = nats.url();
      }
      Infrastructure infra =
          new Infrastructure(dbUrl, user, password, runtimeUser, runtimePassword, natsUrl);
      if (pg != null) {
        infra.owned.add(pg);
        infra.description.add(
            String.format("  %-15s %-6d own, data in %s", "PostgreSQL", pg.port(), pg.dataDir()));
      } else {
        infra.description.add(
            String.format("  %-15s %s", "PostgreSQL", "LATTICE_DB_URL " + redact(dbUrl)));
      }
      if (cluster != null) {
        infra.owned.add(cluster);
        infra.natsCluster = cluster;
        infra.streamReplicas = 3;
        infra.description.add(
            String.format(
                "  %-15s %-6s own cluster of 3, streams of 3 replicas, stores in .lattice/nats-cluster",
                "NATS", natsPort + "-" + (natsPort + 2)));
      } else if (nats != null) {
        infra.owned.add(nats);
        infra.description.add(
            String.format(
                "  %-15s %-6d own, JetStream store in .lattice/nats", "NATS", nats.port()));
      } else {
        infra.description.add(String.format("  %-15s %s", "NATS", "LATTICE_NATS_URL " + natsUrl));
      }
      return infra;
    } catch (RuntimeException e) {
      closeQuietly(cluster);
      closeQuietly(nats);
      closeQuietly(pg);
      throw e;
    }
  }

  /** Creates the database if it is not there yet; safe to call on every start. */
  void ensureDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminJdbcUrl, user, password)) {
      try (PreparedStatement q =
          c.prepareStatement("select 1 from pg_database where datname = ?")) {
        q.setString(1, name);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      try (Statement s = c.createStatement()) {
        // The name comes from the service catalog (lattice_<service>), never from input.
        s.execute("create database \"" + name + "\"");
      } catch (SQLException e) {
        if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another launcher
          throw e;
        }
      }
    }
  }

  /** The JDBC URL of {@code database} on the same server as the admin URL. */
  String jdbcUrlFor(String database) {
    URI uri = URI.create(adminJdbcUrl.substring("jdbc:".length()));
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return "jdbc:postgresql://" + uri.getRawAuthority() + "/" + database + query;
  }

  /** The role that creates the databases and runs the services' migrations. */
  String migrationUser() {
    return user;
  }

  String migrationPassword() {
    return password;
  }

  /**
   * The role the services work as: on the mesh's own server a role without SUPERUSER or BYPASSRLS
   * that owns nothing, so row-level security holds it (decision 0018).
   */
  String runtimeUser() {
    return runtimeUser;
  }

  String runtimePassword() {
    return runtimePassword;
  }

  String natsUrl() {
    return natsUrl;
  }

  /** Replicas of every stream: 3 on the mesh's own cluster, else 1 (or the caller's setting). */
  int streamReplicas() {
    return streamReplicas;
  }

  /** The mesh's own NATS cluster, when it runs one. */
  java.util.Optional<NatsCluster> natsCluster() {
    return java.util.Optional.ofNullable(natsCluster);
  }

  List<String> describe() {
    return description;
  }

  @Override
  public void close() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      closeQuietly(owned.get(i));
    }
  }

  private static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("mesh: while stopping: " + e.getMessage());
    }
  }
}
