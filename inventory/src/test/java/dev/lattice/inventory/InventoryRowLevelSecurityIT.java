package dev.lattice.inventory;

import static dev.lattice.inventory.OrderEventsPublisher.created;

import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import dev.lattice.testing.service.TenantWall;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on inventory's tables (decision 0018): the shared {@link TenantWall} test. Two
 * tenants each have a product and a reservation, made through the API and an OrderCreated event.
 */
class InventoryRowLevelSecurityIT implements TenantWall {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static InventoryHarness inventory;
  static EventTap events;
  static OrderEventsPublisher orders;
  static Product productB;

  @BeforeAll
  static void twoTenantsWithAReservationEach() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    orders = OrderEventsPublisher.open(nats.url());
    inventory = InventoryHarness.start(postgres, nats);
    reserveOne(TENANT_A);
    productB = reserveOne(TENANT_B);
  }

  @AfterAll
  static void stop() throws Exception {
    inventory.close();
    orders.close();
    events.close();
  }

  @Override
  public PostgresExtension database() {
    return postgres;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of("products", "reservation_lines", "reservations", "stock");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    UUID productOfB = UUID.fromString(productB.getId());
    return List.of(
        new Query("select * from products where id = ?", productOfB),
        new Query("select * from stock where product_id = ?", productOfB),
        new Query("select * from reservation_lines where product_id = ?", productOfB),
        new Query(
            "select * from reservations r where exists (select 1 from reservation_lines l"
                + " where l.reservation_id = r.id and l.product_id = ?)",
            productOfB));
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
}
