package dev.lattice.bench.ceiling;

import dev.lattice.local.PostgresServer;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.db.RuntimeRole;
import dev.lattice.platform.runtime.ServiceRuntime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL of the ceilings' own with the orders and inventory databases as the services have
 * them: {@code lattice_orders} and {@code lattice_inventory}, migrated with Flyway exactly as a
 * service migrates at start ({@link Migrations}: the platform's {@code db/platform}, then the
 * service's {@code db/migration/<name>} from the service's own jar), then seeded with products and
 * orders of one tenant. The server runs with fsync on, as {@code ./mesh up}'s does, so commits cost
 * what they cost there, and has the services' runtime role ({@link #runtimeRole}), granted what a
 * service grants it at start, so that pgbench works under row-level security as the services do.
 *
 * <p>Thread-safe for reading; {@link #close()} stops the server and deletes its data.
 */
public final class CeilingDatabases implements AutoCloseable {
  private static final String CURRENCY = "EUR";

  private final PostgresServer server;
  private final DatabaseTarget orders;
  private final DatabaseTarget inventory;

  private CeilingDatabases(PostgresServer server) {
    this.server = server;
    DatabaseTarget admin =
        new DatabaseTarget(server.host(), server.port(), server.user(), "", "postgres");
    this.orders = admin.withDatabase("lattice_orders");
    this.inventory = admin.withDatabase("lattice_inventory");
  }

  /**
   * Starts a temporary server, creates and migrates both databases and seeds {@code products}
   * products and {@code orderCount} orders (1 to 3 lines each) of one tenant.
   *
   * @throws dev.lattice.local.ServerStartException if PostgreSQL cannot start
   * @throws SQLException if seeding fails
   */
  public static CeilingDatabases start(int products, int orderCount) throws SQLException {
    PostgresServer server =
        PostgresServer.start(PostgresServer.Options.temporary().withFsync(true));
    CeilingDatabases dbs = new CeilingDatabases(server);
    try {
      server.createDatabase(dbs.orders.database());
      server.createDatabase(dbs.inventory.database());
      migrate(dbs.orders, "orders");
      migrate(dbs.inventory, "inventory");
      String role = server.runtimeRole();
      grant(dbs.orders, role);
      grant(dbs.inventory, role);
      seed(dbs.orders, dbs.inventory, products, orderCount);
      return dbs;
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The role the services work as, which pgbench should connect as ({@link PgbenchCeiling}). */
  public String runtimeRole() {
    return PostgresServer.RUNTIME_ROLE;
  }

  /** Grants {@code role} on {@code target} what a service grants its runtime role at start. */
  private static void grant(DatabaseTarget target, String role) throws SQLException {
    RuntimeRole.grant(
        new DbConfig(
            target.jdbcUrl(),
            role,
            "",
            1,
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            "lattice-ceiling",
            target.user(),
            target.password()));
  }

  /** The orders database. */
  public DatabaseTarget orders() {
    return orders;
  }

  /** The inventory database. */
  public DatabaseTarget inventory() {
    return inventory;
  }

  /**
   * Migrates {@code target} as service {@code service} migrates its own database at start.
   *
   * @throws org.flywaydb.core.api.FlywayException if a migration fails
   */
  public static void migrate(DatabaseTarget target, String service) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(target.jdbcUrl());
    dataSource.setUser(target.user());
    dataSource.setPassword(target.password());
    Migrations.migrate(dataSource, ServiceRuntime.migrationLocation(service));
  }

  /**
   * Seeds one new tenant: {@code products} live products in EUR (inventory) and {@code orderCount}
   * orders in CREATED of 100 customers, each with 1 to 3 lines of those products priced as they are
   * (orders). Ids are random UUIDs.
   */
  public static void seed(
      DatabaseTarget orders, DatabaseTarget inventory, int products, int orderCount)
      throws SQLException {
    if (products < OrderFixtures.MAX_LINES || orderCount < 1) {
      throw new IllegalArgumentException("need at least 4 products and 1 order");
    }
    UUID tenant = UUID.randomUUID();
    List<Object[]> catalog = new ArrayList<>();
    try (Connection c = inventory.connect();
        PreparedStatement insert =
            c.prepareStatement(
                "insert into products (id, tenant_id, sku, name, price_amount_minor, currency)"
                    + " values (?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 1; i <= products; i++) {
        Object[] p = {
          UUID.randomUUID(), String.format("CEIL-%09d", i), "Ceiling product " + i, 100L + i % 9900
        };
        catalog.add(p);
        insert.setObject(1, p[0]);
        insert.setObject(2, tenant);
        insert.setString(3, (String) p[1]);
        insert.setString(4, (String) p[2]);
        insert.setLong(5, (Long) p[3]);
        insert.setString(6, CURRENCY);
        insert.addBatch();
      }
      insert.executeBatch();
      c.commit();
    }
    seedOrders(orders, tenant, catalog, orderCount);
  }

  private static void seedOrders(
      DatabaseTarget orders, UUID tenant, List<Object[]> catalog, int orderCount)
      throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<UUID> customers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      customers.add(UUID.randomUUID());
    }
    try (Connection c = orders.connect();
        PreparedStatement order =
            c.prepareStatement(
                "insert into orders (id, tenant_id, customer_id, currency, total_amount_minor)"
                    + " values (?, ?, ?, ?, ?)");
        PreparedStatement line =
            c.prepareStatement(
                "insert into order_lines (order_id, line_number, tenant_id, product_id, sku, name,"
                    + " quantity, unit_price_amount_minor, line_total_amount_minor)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < orderCount; i++) {
        UUID id = UUID.randomUUID();
        int lines = 1 + random.nextInt(3);
        int first = random.nextInt(catalog.size() - lines + 1);
        long total = 0;
        for (int n = 0; n < lines; n++) {
          Object[] p = catalog.get(first + n);
          int quantity = 1 + random.nextInt(3);
          long price = (Long) p[3];
          total += price * quantity;
          line.setObject(1, id);
          line.setInt(2, n + 1);
          line.setObject(3, tenant);
          line.setObject(4, p[0]);
          line.setString(5, (String) p[1]);
          line.setString(6, (String) p[2]);
          line.setInt(7, quantity);
          line.setLong(8, price);
          line.setLong(9, price * quantity);
          line.addBatch();
        }
        order.setObject(1, id);
        order.setObject(2, tenant);
        order.setObject(3, customers.get(random.nextInt(customers.size())));
        order.setString(4, CURRENCY);
        order.setLong(5, total);
        order.addBatch();
        if (i % 1000 == 999 || i == orderCount - 1) {
          order.executeBatch();
          line.executeBatch();
        }
      }
      c.commit();
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
