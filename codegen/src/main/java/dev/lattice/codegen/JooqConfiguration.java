package dev.lattice.codegen;

import dev.lattice.codegen.JooqCodegen.Request;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Logging;
import org.jooq.meta.jaxb.OnError;
import org.jooq.meta.jaxb.Target;

/**
 * The jOOQ generator configuration {@link JooqCodegen} runs: every object of the schema but the
 * migration history tables, records with fluent setters, {@code java.time} types, no POJOs or DAOs,
 * and {@code inet} columns as {@link String} through the platform's binding.
 *
 * <p>Stateless and thread-safe. A change here bumps the stamp's configuration version ({@link
 * CodegenStamp}).
 */
final class JooqConfiguration {
  static final String HISTORY_TABLES = "flyway_schema_history|platform_schema_history";

  /** The platform binding that maps PostgreSQL {@code inet} to {@link String}. */
  static final String INET_BINDING = "dev.lattice.platform.db.InetBinding";

  private JooqConfiguration() {}

  static Configuration of(Request request) {
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
}
