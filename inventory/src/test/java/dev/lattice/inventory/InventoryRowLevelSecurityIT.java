package dev.lattice.inventory;

import static dev.lattice.inventory.OrderEventsPublisher.created;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import dev.lattice.testing.service.TenantWall;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on inventory's tables (decision 0018): as the role the service works as, a
 * connection sees and writes only the rows of its transaction's tenant, and none without one. Two
 * tenants each have a product and a reservation, made through the API and an OrderCreated event.
 */
class InventoryRowLevelSecurityIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  private static final List<String> TENANT_TABLES =
      List.of("products", "reservation_lines", "reservations", "stock");

  /** The platform's tables with a tenant and no policy yet (decision 0018, "What is left"). */
  private static final List<String> PLATFORM_TABLES_WITHOUT_POLICY =
      List.of("idempotency_keys", "outbox_events");

  static InventoryHarness inventory;
  static EventTap events;
  static OrderEventsPublisher orders;
  static final UUID tenantA = UUID.randomUUID();
  static final UUID tenantB = UUID.randomUUID();
  static Product productB;

  @BeforeAll
  static void twoTenantsWithAReservationEach() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    orders = OrderEventsPublisher.open(nats.url());
    inventory = InventoryHarness.start(postgres, nats);
    reserveOne(tenantA);
    productB = reserveOne(tenantB);
  }

  @AfterAll
  static void stop() throws Exception {
    inventory.close();
    orders.close();
    events.close();
  }

  @Test
  void runtimeRole_noTenantSet_seesNoRowAndCannotInsert() throws SQLException {
    try (Connection connection = asRuntimeRole()) {
      for (String table : TENANT_TABLES) {
        assertThat(inventory.sqlLong("select count(*) from " + table))
            .as("rows of %s", table)
            .isPositive();
        assertThat(TenantWall.tenantsSeen(connection, table))
            .as("rows of %s seen", table)
            .isEmpty();
      }
      assertThatThrownBy(() -> insertProduct(connection, tenantA))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
    }
  }

  @Test
  void runtimeRole_tenantASet_seesOnlyARowsAndCannotWriteB() throws SQLException {
    try (Connection connection = asRuntimeRole()) {
      connection.setAutoCommit(false);
      TenantWall.setTenant(connection, tenantA);
      for (String table : TENANT_TABLES) {
        assertThat(TenantWall.tenantsSeen(connection, table))
            .as("tenants of %s", table)
            .isNotEmpty()
            .containsOnly(tenantA);
      }
      try (PreparedStatement rename =
          connection.prepareStatement("update products set name = 'Taken' where id = ?")) {
        rename.setObject(1, UUID.fromString(productB.getId()));
        assertThat(rename.executeUpdate()).isZero();
      }
      assertThatThrownBy(() -> insertProduct(connection, tenantB))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
      connection.rollback();
    }
  }

  @Test
  void everyTenantTable_isUnderForcedRowLevelSecurity_andTheRuntimeRoleCannotPassIt()
      throws SQLException {
    try (Connection owner = postgres.connect()) {
      Map<String, Boolean> tables = TenantWall.tenantTables(owner);
      assertThat(tables.keySet()).containsAll(TENANT_TABLES);
      assertThat(tables.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey))
          .containsExactlyInAnyOrderElementsOf(PLATFORM_TABLES_WITHOUT_POLICY);
      assertThat(TenantWall.passesTheWall(owner, postgres.runtimeRole())).isFalse();
      assertThat(TenantWall.passesTheWall(owner, postgres.user())).isTrue();
    }
  }

  /** A product of {@code tenant} with stock, one unit of it reserved for an order; the product. */
  private static Product reserveOne(UUID tenant) throws Exception {
    Product product =
        inventory
            .stub(inventory.tokens().token(tenant, "staff", "inventory.read", "inventory.write"))
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("RLS-" + UUID.randomUUID().toString().substring(0, 8))
                    .setName("Widget")
                    .setPriceAmountMinor(1000)
                    .setCurrency("EUR")
                    .setInitialStock(5)
                    .build())
            .getProduct();
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 1)));
    events.await(StockReserved.class, event -> event.getOrderId().equals(order.toString()));
    return product;
  }

  private static Connection asRuntimeRole() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.runtimeRole(), "");
  }

  private static void insertProduct(Connection connection, UUID tenant) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into products (id, tenant_id, sku, name, price_amount_minor, currency)"
                + " values (?, ?, 'X-1', 'X', 1, 'EUR')")) {
      insert.setObject(1, UUID.randomUUID());
      insert.setObject(2, tenant);
      insert.executeUpdate();
    }
  }
}
