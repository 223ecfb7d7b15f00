package dev.lattice.platform.db;

import dev.lattice.platform.config.DbConfig;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Flyway migrations in two independent histories:
 *
 * <ol>
 *   <li>{@value #PLATFORM_LOCATION} (tables the platform itself needs, if it ships any) with
 *       history table {@value #PLATFORM_HISTORY_TABLE}, skipped when the location is not on the
 *       classpath;
 *   <li>the service's own locations (default {@value #DEFAULT_LOCATION}) with Flyway's default
 *       history table {@code flyway_schema_history}.
 * </ol>
 *
 * <p>Platform migrations run first so service migrations may reference platform tables. Because the
 * platform's tables make the schema non-empty, the service history is baselined at version 0 when
 * it does not exist yet (every {@code V1+} migration still runs). Each run takes Flyway's advisory
 * lock, so several replicas starting together migrate once. A failed migration throws Flyway's
 * exception; the service must not start.
 */
public final class Migrations {

  /** Where platform migrations live. */
  public static final String PLATFORM_LOCATION = "classpath:db/platform";

  /** The history table of platform migrations. */
  public static final String PLATFORM_HISTORY_TABLE = "platform_schema_history";

  /** Where service migrations live unless told otherwise. */
  public static final String DEFAULT_LOCATION = "classpath:db/migration";

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * Migrates the database behind {@code dataSource}: platform first, then the service.
   *
   * @param locations the service's migration locations; {@value #DEFAULT_LOCATION} when none
   * @return the number of migrations applied in both histories together
   * @throws org.flywaydb.core.api.FlywayException if a migration fails or was changed after it was
   *     applied
   */
  public static int migrate(DataSource dataSource, String... locations) {
    return migrate(flyway -> flyway.dataSource(dataSource), locations);
  }

  /**
   * Migrates the database of {@code config} as its migration role ({@link
   * DbConfig#migrationUser()}), which owns what the migrations make, as {@link #migrate(DataSource,
   * String...)} does.
   */
  public static int migrate(DbConfig config, String... locations) {
    return migrate(
        flyway ->
            flyway.dataSource(config.url(), config.migrationUser(), config.migrationPassword()),
        locations);
  }

  private static int migrate(Consumer<FluentConfiguration> source, String... locations) {
    int applied = 0;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    boolean platform =
        (loader != null ? loader : Migrations.class.getClassLoader()).getResource("db/platform")
            != null;
    if (platform) {
      applied +=
          run(
              "platform",
              configured(source)
                  .locations(PLATFORM_LOCATION)
                  .table(PLATFORM_HISTORY_TABLE)
                  .baselineOnMigrate(true)
                  .baselineVersion("0"));
    }
    String[] serviceLocations = locations.length == 0 ? new String[] {DEFAULT_LOCATION} : locations;
    applied +=
        run(
            "service " + Arrays.toString(serviceLocations),
            configured(source)
                .locations(serviceLocations)
                .baselineOnMigrate(platform)
                .baselineVersion("0"));
    return applied;
  }

  private static FluentConfiguration configured(Consumer<FluentConfiguration> source) {
    FluentConfiguration flyway = Flyway.configure();
    source.accept(flyway);
    return flyway;
  }

  private static int run(String what, FluentConfiguration config) {
    MigrateResult result = config.cleanDisabled(true).load().migrate();
    log.info(
        "{} migrations: {} applied, schema now at version {}",
        what,
        result.migrationsExecuted,
        result.targetSchemaVersion == null ? "(empty)" : result.targetSchemaVersion);
    return result.migrationsExecuted;
  }
}
