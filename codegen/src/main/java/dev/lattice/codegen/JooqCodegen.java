package dev.lattice.codegen;

import dev.lattice.local.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Generates a module's jOOQ classes from its own Flyway migrations: starts a throwaway PostgreSQL,
 * migrates an empty database, and lets jOOQ read the real catalog, so uuid, jsonb, timestamptz,
 * bytea, enums, checks, functions and triggers need no special handling.
 *
 * <p>A stamp file in the target directory records a hash of the migrations, the jOOQ and Flyway
 * versions and the arguments; when it matches, nothing runs (an incremental build costs
 * milliseconds). A missing or empty migrations directory generates nothing.
 *
 * <p>Run by the root pom's {@code jooq-codegen} profile through {@code exec:java} inside the Maven
 * JVM, so {@link #main} never calls {@code System.exit}: a failure is an exception, which fails the
 * build. The server it starts stops in all cases, including a killed Maven JVM (see {@link
 * PostgresServer}).
 *
 * <p>Its parts: {@link CodegenArgs} reads the command line, {@link CodegenStamp} keeps the stamp,
 * {@link JooqConfiguration} is what jOOQ is told. Stateless; runs at the same time need target
 * directories of their own.
 */
public final class JooqCodegen {
  /** The stamp's file name in the target directory. */
  static final String STAMP_FILE = ".lattice-jooq-codegen.stamp";

  /**
   * What to generate.
   *
   * @param migrations the Flyway SQL migrations directory (a file system path)
   * @param packageName the package of the generated classes
   * @param targetDir the source root the classes are written to
   * @param schema the schema to read
   */
  public record Request(Path migrations, String packageName, Path targetDir, String schema) {
    public Request {
      Objects.requireNonNull(migrations, "migrations");
      Objects.requireNonNull(targetDir, "targetDir");
      Objects.requireNonNull(schema, "schema");
      if (packageName == null || !packageName.matches("[a-zA-Z_][\\w]*(\\.[a-zA-Z_][\\w]*)*")) {
        throw new IllegalArgumentException(
            "not a Java package name: '"
                + packageName
                + "' (a module with db/migration sets <jooq.package> in its pom)");
      }
    }
  }

  /** What {@link #generate} did. */
  public enum Outcome {
    GENERATED,
    UP_TO_DATE,
    NO_MIGRATIONS
  }

  private JooqCodegen() {}

  /**
   * {@code --migrations=DIR --package=PKG --target=DIR [--schema=public]} (also as {@code --name
   * value}).
   *
   * @throws IllegalArgumentException on a missing or unknown argument
   * @throws RuntimeException if the migrations or the generation fail
   */
  public static void main(String[] args) {
    generate(CodegenArgs.parse(args));
  }

  /** Generates the classes unless the stamp says they are up to date. */
  public static Outcome generate(Request request) {
    long started = System.nanoTime();
    Path packageDir = request.targetDir().resolve(request.packageName().replace('.', '/'));
    Path stampFile = request.targetDir().resolve(STAMP_FILE);
    List<Path> migrations = CodegenStamp.migrationFiles(request.migrations());
    if (migrations.isEmpty()) {
      CodegenStamp.deleteWithClasses(packageDir, stampFile);
      log("no migrations in " + request.migrations() + ": nothing to generate");
      return Outcome.NO_MIGRATIONS;
    }
    String stamp = CodegenStamp.compute(request, migrations);
    if (Files.isDirectory(packageDir) && stamp.equals(CodegenStamp.read(stampFile))) {
      log("up to date (" + migrations.size() + " migrations unchanged), skipped");
      return Outcome.UP_TO_DATE;
    }

    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    CodegenStamp.delete(stampFile);
    Phases phases = generateOnThrowawayServer(request);
    CodegenStamp.write(stampFile, stamp);
    long done = System.nanoTime();
    log(
        String.format(
            "generated %s from %d migrations in %d ms (PostgreSQL %d ms, Flyway %d ms, jOOQ %d ms)",
            request.packageName(),
            migrations.size(),
            millis(started, done),
            millis(started, phases.serverReady()),
            millis(phases.serverReady(), phases.migrated()),
            millis(phases.migrated(), done)));
    return Outcome.GENERATED;
  }

  /** When the server was ready and when the migrations were done, as {@link System#nanoTime()}. */
  private record Phases(long serverReady, long migrated) {}

  /** Migrates a fresh database on a throwaway server and lets jOOQ read it. */
  private static Phases generateOnThrowawayServer(Request request) {
    try (PostgresServer pg = PostgresServer.start()) {
      long serverReady = System.nanoTime();
      String database = "codegen";
      pg.createDatabase(database);
      migrate(pg, database, request);
      long migrated = System.nanoTime();
      try (Connection connection = pg.connect(database)) {
        GenerationTool tool = new GenerationTool();
        tool.setClassLoader(JooqCodegen.class.getClassLoader());
        tool.setConnection(connection);
        tool.run(JooqConfiguration.of(request));
      }
      return new Phases(serverReady, migrated);
    } catch (Exception e) {
      throw new IllegalStateException("jOOQ code generation failed: " + e.getMessage(), e);
    }
  }

  private static void migrate(PostgresServer pg, String database, Request request) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(pg.jdbcUrl(database));
    dataSource.setUser(pg.user());
    Flyway.configure(JooqCodegen.class.getClassLoader())
        .dataSource(dataSource)
        .locations("filesystem:" + request.migrations().toAbsolutePath())
        .defaultSchema(request.schema())
        .schemas(request.schema())
        .failOnMissingLocations(true)
        .load()
        .migrate();
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }

  private static void log(String message) {
    System.out.println("[jooq-codegen] " + message);
  }
}
