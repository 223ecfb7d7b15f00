package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.testing.PostgresExtension;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrationsIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @Test
  void migrate_runsPlatformThenServiceMigrations_inSeparateHistories_once() {
    try (Database database =
        Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", "migrations-it"))) {
      int first = Migrations.migrate(database.dataSource());
      int second = Migrations.migrate(database.dataSource());

      DSLContext dsl = database.dsl();
      assertThat(first).isEqualTo(6);
      assertThat(second).isZero();
      assertThat(
              dsl.fetchValue(
                  "select string_agg(script, ',' order by installed_rank) from"
                      + " platform_schema_history where success and type = 'SQL'"))
          .isEqualTo(
              "V1__outbox.sql,V2__inbox.sql,V3__idempotency.sql,V4__rate_limits.sql,V5__row_level_security.sql");
      assertThat(
              dsl.fetchValue(
                  "select string_agg(script, ',' order by installed_rank) from"
                      + " flyway_schema_history where success and type = 'SQL'"))
          .isEqualTo("V1__create_notes.sql");
      assertThat(dsl.resultQuery("select count(*) from notes").fetchOne(0, Long.class)).isZero();
    }
  }
}
