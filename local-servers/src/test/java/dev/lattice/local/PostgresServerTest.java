package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class PostgresServerTest {

  @Test
  void kill_thenRestart_keepsRowsCommittedBeforeTheCrash() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      int port = pg.port();
      pg.createDatabase("shop");
      pg.createDatabase("shop"); // idempotent
      try (Connection c = pg.connect("shop");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)");
        s.execute("INSERT INTO item VALUES (1, 'kettle'), (2, 'teapot')");
      }

      pg.kill();
      assertThat(pg.isRunning()).isFalse();
      assertThatThrownBy(() -> pg.connect("shop").close()).isInstanceOf(SQLException.class);

      pg.restart();
      assertThat(pg.port()).isEqualTo(port);
      assertThat(pg.isRunning()).isTrue();
      assertThat(names(pg, "shop")).containsExactly("kettle", "teapot");
    }
  }

  @Test
  void start_initialisesUtf8ClusterWithCLocale() throws Exception {
    try (PostgresServer pg = PostgresServer.start();
        Connection c = pg.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_encoding_to_char(encoding), datcollate, current_setting('fsync'),"
                    + " current_setting('synchronous_commit'), current_setting('max_connections')"
                    + " FROM pg_database WHERE datname = 'postgres'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("UTF8");
      assertThat(rs.getString(2)).isEqualTo("C.UTF-8");
      assertThat(rs.getString(3)).isEqualTo("off");
      assertThat(rs.getString(4)).isEqualTo("on");
      assertThat(rs.getString(5)).isEqualTo("200");
      assertThat(pg.jdbcUrl("x")).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/x");
    }
  }

  @Test
  void settings_areAppliedAfterTheBuiltInOnes() throws Exception {
    try (PostgresServer pg =
            PostgresServer.start(
                PostgresServer.Options.temporary()
                    .withSetting("work_mem", "7MB")
                    .withSetting("max_connections", "50")
                    .withSetting("shared_preload_libraries", "pg_stat_statements"));
        Connection c = pg.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION pg_stat_statements");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT current_setting('work_mem'), current_setting('max_connections'),"
                  + " (SELECT count(*) FROM pg_stat_statements) >= 0")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("7MB");
        assertThat(rs.getString(2)).isEqualTo("50");
        assertThat(rs.getBoolean(3)).isTrue();
      }
    }
    assertThatThrownBy(() -> PostgresServer.Options.temporary().withSetting("work_mem;x", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void close_stopsServerAndDeletesTemporaryCluster() {
    PostgresServer pg = PostgresServer.start();
    Path dataDir = pg.dataDir();
    long pid = pg.pid();
    assertThat(dataDir.resolve("PG_VERSION")).exists();
    assertThat(pid).isPositive();

    pg.close();

    assertThat(dataDir.getParent()).doesNotExist();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    assertThat(pg.isRunning()).isFalse();
  }

  @Test
  void createDatabaseFromTemplate_copiesSchemaAndRows_dropDatabaseRemovesIt() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      pg.createDatabase("tmpl");
      try (Connection c = pg.connect("tmpl");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)");
        s.execute("INSERT INTO item VALUES (1, 'kettle')");
      }
      pg.createDatabaseFromTemplate("copy", "tmpl");
      assertThat(names(pg, "copy")).containsExactly("kettle");

      pg.dropDatabase("copy");
      pg.dropDatabase("copy"); // idempotent
      assertThatThrownBy(() -> pg.connect("copy").close()).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void persistentDataDir_isInitialisedOnceAndReused(@TempDir Path dir) throws Exception {
    // As root the server runs as the postgres OS user, which must be able to enter the parents.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path data = dir.resolve("pg/data");
    int port;
    try (PostgresServer pg = PostgresServer.start(PostgresServer.Options.persistent(data, 0))) {
      port = pg.port();
      pg.createDatabase("keep");
      try (Connection c = pg.connect("keep");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)");
        s.execute("INSERT INTO item VALUES (1, 'kettle')");
      }
    }
    assertThat(data.resolve("PG_VERSION")).exists();
    assertThat(data.resolve("postmaster.pid")).doesNotExist();

    try (PostgresServer pg = PostgresServer.start(PostgresServer.Options.persistent(data, port))) {
      assertThat(pg.port()).isEqualTo(port);
      assertThat(names(pg, "keep")).containsExactly("kettle");
    }
    assertThat(Files.readString(data.getParent().resolve("postgres.log")))
        .containsOnlyOnce("Success. You can now start the database server");
  }

  @Test
  void persistentDataDir_unreachableByPostgresUser_failsWithChmodHint(@TempDir Path dir)
      throws Exception {
    Assumptions.assumeTrue(Processes.isRoot(), "only root hands the cluster to another OS user");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(
            () -> PostgresServer.start(PostgresServer.Options.persistent(dir.resolve("data"), 0)))
        .isInstanceOf(ServerStartException.class)
        .hasMessageContaining("chmod o+x " + dir);
  }

  static List<String> names(PostgresServer pg, String database) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = pg.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM item ORDER BY id")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
