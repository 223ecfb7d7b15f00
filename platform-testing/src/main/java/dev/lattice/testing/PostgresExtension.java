package dev.lattice.testing;

import dev.lattice.local.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway PostgreSQL per test JVM and a fresh database for each test class (each test, when
 * registered on an instance field):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension pg = PostgresExtension.withTemplate("orders_template",
 *     url -> Flyway.configure().dataSource(url, "postgres", "").load().migrate());
 * ... pg.jdbcUrl() ...
 * }</pre>
 *
 * <p>With a template, the initializer runs once per JVM (migrations, seed data) and every class
 * gets a {@code CREATE DATABASE ... TEMPLATE} copy, which takes well under a second. The server
 * stops when the JVM exits.
 */
public final class PostgresExtension implements BeforeAllCallback, BeforeEachCallback {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Set<String> BUILT_TEMPLATES = new HashSet<>();
  private static PostgresServer shared;

  private final String template;
  private final Consumer<String> templateInitializer;
  private String database;

  /** A fresh, empty database per class. */
  public PostgresExtension() {
    this(null, null);
  }

  private PostgresExtension(String template, Consumer<String> templateInitializer) {
    this.template = template;
    this.templateInitializer = templateInitializer;
  }

  /**
   * A copy of {@code template} per class; {@code initializer} receives the template's JDBC URL once
   * per JVM, before the first copy, and must close its connections.
   */
  public static PostgresExtension withTemplate(String template, Consumer<String> initializer) {
    return new PostgresExtension(
        Objects.requireNonNull(template, "template"),
        Objects.requireNonNull(initializer, "initializer"));
  }

  /** The server shared by every test in this JVM; started on first use. */
  public static synchronized PostgresServer sharedServer() {
    if (shared == null || !shared.isRunning()) {
      if (shared != null) {
        shared.close();
      }
      shared = PostgresServer.start();
      BUILT_TEMPLATES.clear();
    }
    return shared;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    createDatabase(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (database == null) {
      createDatabase(context);
    }
  }

  private synchronized void createDatabase(ExtensionContext context) {
    PostgresServer server = sharedServer();
    String name = databaseName(context.getRequiredTestClass().getSimpleName());
    if (template == null) {
      server.createDatabase(name);
    } else {
      ensureTemplate(server);
      server.createDatabaseFromTemplate(name, template);
    }
    database = name;
  }

  private void ensureTemplate(PostgresServer server) {
    synchronized (PostgresExtension.class) {
      if (BUILT_TEMPLATES.add(template)) {
        server.dropDatabase(template);
        server.createDatabase(template);
        try {
          templateInitializer.accept(server.jdbcUrl(template));
        } catch (RuntimeException e) {
          BUILT_TEMPLATES.remove(template);
          throw e;
        }
      }
    }
  }

  private static String databaseName(String className) {
    String base = className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    return "t_" + base + "_" + SEQUENCE.incrementAndGet();
  }

  /** The shared server. */
  public PostgresServer server() {
    return sharedServer();
  }

  /** This class's database name; set before the first test (or {@code @BeforeAll}) runs. */
  public synchronized String database() {
    if (database == null) {
      throw new IllegalStateException(
          "no database yet: register the extension with @RegisterExtension");
    }
    return database;
  }

  /** The JDBC URL of this class's database. */
  public String jdbcUrl() {
    return server().jdbcUrl(database());
  }

  /** The user to connect as ({@value PostgresServer#USER}, no password). */
  public String user() {
    return PostgresServer.USER;
  }

  /**
   * The role a service under test works as, created on first use: no superuser, no BYPASSRLS, owns
   * nothing, no password; pass it as {@code LATTICE_DB_USER} and {@link #user()} as {@code
   * LATTICE_DB_MIGRATION_USER} (decision 0018).
   */
  public String runtimeRole() {
    return server().runtimeRole();
  }

  /** Opens a connection to this class's database; the caller closes it. */
  public Connection connect() throws SQLException {
    return server().connect(database());
  }
}
