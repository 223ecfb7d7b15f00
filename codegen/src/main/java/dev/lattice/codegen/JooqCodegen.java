package dev.lattice.codegen;

import dev.lattice.local.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jooq.Constants;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Logging;
import org.jooq.meta.jaxb.OnError;
import org.jooq.meta.jaxb.Target;
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
 */
public final class JooqCodegen {
  /** Bump when the generator configuration changes, so every stamp goes stale. */
  private static final String CONFIG_VERSION = "2";

  static final String STAMP_FILE = ".lattice-jooq-codegen.stamp";
  static final String HISTORY_TABLES = "flyway_schema_history|platform_schema_history";

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
    Map<String, String> opts = parse(args);
    Request request =
        new Request(
            Path.of(required(opts, "migrations")),
            required(opts, "package"),
            Path.of(required(opts, "target")),
            opts.getOrDefault("schema", "public"));
    generate(request);
  }

  /** Generates the classes unless the stamp says they are up to date. */
  public static Outcome generate(Request request) {
    long started = System.nanoTime();
    Path packageDir = request.targetDir().resolve(request.packageName().replace('.', '/'));
    Path stampFile = request.targetDir().resolve(STAMP_FILE);
    List<Path> migrations = migrationFiles(request.migrations());
    if (migrations.isEmpty()) {
      deleteQuietly(packageDir, stampFile);
      log("no migrations in " + request.migrations() + ": nothing to generate");
      return Outcome.NO_MIGRATIONS;
    }
    String stamp = stamp(request, migrations);
    if (Files.isDirectory(packageDir) && stamp.equals(readStamp(stampFile))) {
      log("up to date (" + migrations.size() + " migrations unchanged), skipped");
      return Outcome.UP_TO_DATE;
    }

    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    try {
      Files.deleteIfExists(stampFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long serverReady;
    long migrated;
    try (PostgresServer pg = PostgresServer.start()) {
      serverReady = System.nanoTime();
      String database = "codegen";
      pg.createDatabase(database);
      migrate(pg, database, request);
      migrated = System.nanoTime();
      try (Connection connection = pg.connect(database)) {
        GenerationTool tool = new GenerationTool();
        tool.setClassLoader(JooqCodegen.class.getClassLoader());
        tool.setConnection(connection);
        tool.run(configuration(request));
      }
    } catch (Exception e) {
      throw new IllegalStateException("jOOQ code generation failed: " + e.getMessage(), e);
    }
    writeStamp(stampFile, stamp);
    long done = System.nanoTime();
    log(
        String.format(
            "generated %s from %d migrations in %d ms (PostgreSQL %d ms, Flyway %d ms, jOOQ %d ms)",
            request.packageName(),
            migrations.size(),
            millis(started, done),
            millis(started, serverReady),
            millis(serverReady, migrated),
            millis(migrated, done)));
    return Outcome.GENERATED;
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

  /** The platform binding that maps PostgreSQL {@code inet} to {@link String}. */
  static final String INET_BINDING = "dev.lattice.platform.db.InetBinding";

  static Configuration configuration(Request request) {
    return new Configuration()
        .withLogging(Logging.WARN)
        .withOnError(OnError.FAIL)
        .withGenerator(
            new Generator()
                .withName("org.jooq.codegen.JavaGenerator")
                .withDatabase(
                    new Database()
                        .withName("org.jooq.meta.postgres.PostgresDatabase")
                        .withInputSchema(request.schema())
                        .withIncludes(".*")
                        .withExcludes(HISTORY_TABLES)
                        .withForcedTypes(
                            // inet columns as String, bound with an explicit ::inet cast.
                            new ForcedType()
                                .withUserType("java.lang.String")
                                .withBinding(INET_BINDING)
                                .withIncludeTypes("inet")))
                .withGenerate(
                    new Generate()
                        .withRecords(true)
                        .withPojos(false)
                        .withDaos(false)
                        .withJavaTimeTypes(true)
                        .withFluentSetters(true))
                .withTarget(
                    new Target()
                        .withPackageName(request.packageName())
                        .withDirectory(request.targetDir().toAbsolutePath().toString())
                        .withEncoding("UTF-8")
                        .withClean(true)));
  }

  /** The regular files under {@code dir}, sorted by relative path; empty if it does not exist. */
  static List<Path> migrationFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .sorted((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  static String stamp(Request request, List<Path> migrations) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      update(sha, "config " + CONFIG_VERSION);
      update(sha, "jooq " + Constants.FULL_VERSION);
      update(sha, "flyway " + Flyway.class.getPackage().getImplementationVersion());
      update(sha, "package " + request.packageName());
      update(sha, "schema " + request.schema());
      update(sha, "target " + request.targetDir().toAbsolutePath().normalize());
      for (Path file : migrations) {
        update(sha, "file " + request.migrations().relativize(file));
        sha.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the migrations", e);
    }
  }

  private static void update(MessageDigest sha, String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }

  private static String readStamp(Path stampFile) {
    try {
      return Files.isRegularFile(stampFile) ? Files.readString(stampFile).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void writeStamp(Path stampFile, String stamp) {
    try {
      Path tmp = stampFile.resolveSibling(STAMP_FILE + ".tmp");
      Files.writeString(tmp, stamp + "\n");
      Files.move(
          tmp, stampFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stampFile, e);
    }
  }

  private static void deleteQuietly(Path packageDir, Path stampFile) {
    try {
      Files.deleteIfExists(stampFile);
      if (Files.isDirectory(packageDir)) {
        try (Stream<Path> paths = Files.walk(packageDir)) {
          for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove stale jOOQ classes in " + packageDir, e);
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; " + usage());
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        name = arg.substring(2);
        value = args[++i];
      } else {
        throw new IllegalArgumentException("no value for " + arg + "; " + usage());
      }
      if (!List.of("migrations", "package", "target", "schema").contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; " + usage());
      }
      opts.put(name, value);
    }
    return opts;
  }

  private static String required(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " is missing"
              + ("package".equals(name) ? " (set <jooq.package> in the module's pom)" : "")
              + "; "
              + usage());
    }
    return value;
  }

  private static String usage() {
    return "usage: JooqCodegen --migrations=DIR --package=PKG --target=DIR [--schema=public]";
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }

  private static void log(String message) {
    System.out.println("[jooq-codegen] " + message);
  }
}
