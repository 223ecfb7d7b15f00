package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime role of decision 0018 on a real server: granted what it needs by the migration role,
 * refused when it is a superuser, bypasses row-level security or owns a table.
 */
class RuntimeRoleIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @BeforeAll
  static void rolesAndATable() throws SQLException {
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("create table if not exists widgets (id bigint primary key, name text)");
      s.execute(
          "do $$ begin create role runtime_role_it_bypass login bypassrls;"
              + " exception when duplicate_object then null; end $$");
      s.execute(
          "do $$ begin create role runtime_role_it_owner login;"
              + " exception when duplicate_object then null; end $$");
      s.execute("create table if not exists owned (id bigint primary key)");
      s.execute("alter table owned owner to runtime_role_it_owner");
    }
  }

  @Test
  void grant_letsTheRuntimeRoleReadAndWrite_andCheckAcceptsIt() throws SQLException {
    DbConfig config = split(pg.runtimeRole());
    RuntimeRole.grant(config);
    RuntimeRole.grant(config);
    try (Database database = Database.open(config)) {
      RuntimeRole.check(database.dataSource(), config);
      database
          .dsl()
          .execute("insert into widgets (id, name) values (1, 'one') on conflict do nothing");
      assertThat(database.dsl().fetchCount(database.dsl().selectFrom("widgets"))).isOne();
    }
  }

  @Test
  void check_superuser_refusedNamingTheVariable() {
    DbConfig config = split(pg.user(), pg.runtimeRole());
    assertRefused(config, "is a superuser");
  }

  @Test
  void check_roleThatBypassesRowLevelSecurity_refused() {
    assertRefused("runtime_role_it_bypass", "bypasses row-level security");
  }

  @Test
  void check_roleThatOwnsATable_refused() {
    assertRefused("runtime_role_it_owner", "owns tables");
  }

  @Test
  void check_oneRoleForBoth_isTheDeploymentsChoice() throws SQLException {
    DbConfig single = DbConfig.of(pg.jdbcUrl(), pg.user(), "", "runtime-role-it");
    try (Database database = Database.open(single)) {
      RuntimeRole.check(database.dataSource(), single);
    }
  }

  private static void assertRefused(String runtimeUser, String problem) {
    assertRefused(split(runtimeUser), problem);
  }

  private static void assertRefused(DbConfig config, String problem) {
    try (Database database = Database.open(config)) {
      assertThatThrownBy(() -> RuntimeRole.check(database.dataSource(), config))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("LATTICE_DB_USER")
          .hasMessageContaining(config.user())
          .hasMessageContaining(problem);
    }
  }

  /** {@code runtimeUser} works, the server's superuser migrates. */
  private static DbConfig split(String runtimeUser) {
    return split(runtimeUser, pg.user());
  }

  /** {@code runtimeUser} works, {@code migrationUser} is named as the migrating role. */
  private static DbConfig split(String runtimeUser, String migrationUser) {
    return new DbConfig(
        pg.jdbcUrl(),
        runtimeUser,
        "",
        2,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        "runtime-role-it",
        migrationUser,
        "");
  }
}
