package dev.lattice.orders;

import static org.awaitility.Awaitility.await;

import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.Product;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import dev.lattice.testing.PostgresExtension;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every orders IT shares: orders and inventory running for the class, and per test a fresh
 * tenant with a staff member, two customers and two EUR products (12.50 and 3.99).
 */
@Timeout(180)
abstract class OrdersTestBase {

  @RegisterExtension static final PostgresExtension ordersDb = new PostgresExtension();
  @RegisterExtension static final PostgresExtension inventoryDb = new PostgresExtension();

  static OrdersHarness harness;

  private static final AtomicInteger SKUS = new AtomicInteger();

  UUID tenant;
  UUID aliceId;
  UUID bobId;
  OrdersServiceBlockingStub staff;
  OrdersServiceBlockingStub alice;
  OrdersServiceBlockingStub bob;
  InventoryServiceBlockingStub catalog;
  Product teapot;
  Product cup;

  @BeforeAll
  static void startServices() throws Exception {
    harness = OrdersHarness.start(ordersDb, inventoryDb);
  }

  @AfterAll
  static void stopServices() throws Exception {
    harness.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    aliceId = UUID.randomUUID();
    bobId = UUID.randomUUID();
    String staffToken = harness.tokens().token(tenant, UUID.randomUUID(), OrdersTokens.STAFF);
    staff = harness.orders(staffToken);
    alice = harness.orders(harness.tokens().token(tenant, aliceId, OrdersTokens.CUSTOMER));
    bob = harness.orders(harness.tokens().token(tenant, bobId, OrdersTokens.CUSTOMER));
    catalog = harness.inventory(staffToken);
    teapot = product("Teapot", 1250, "EUR");
    cup = product("Cup", 399, "EUR");
  }

  Product product(String name, long price, String currency) {
    return catalog
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku("SKU-" + SKUS.incrementAndGet())
                .setName(name)
                .setPriceAmountMinor(price)
                .setCurrency(currency)
                .setInitialStock(100)
                .build())
        .getProduct();
  }

  /** A EUR order of {@code quantity} × {@code product} paid with tok_visa. */
  static CreateOrderRequest request(Product product, int quantity) {
    return CreateOrderRequest.newBuilder()
        .setCurrency("EUR")
        .setPaymentMethodToken("tok_visa")
        .addLines(line(product, quantity))
        .build();
  }

  static CreateOrderRequest.Line line(Product product, int quantity) {
    return CreateOrderRequest.Line.newBuilder()
        .setProductId(product.getId())
        .setQuantity(quantity)
        .build();
  }

  /** Places {@code request} with a fresh idempotency key. */
  static Order place(OrdersServiceBlockingStub stub, CreateOrderRequest request) {
    return OrdersHarness.keyed(stub, UUID.randomUUID().toString()).createOrder(request).getOrder();
  }

  Order get(Order order) {
    return staff
        .getOrder(GetOrderRequest.newBuilder().setOrderId(order.getId()).build())
        .getOrder();
  }

  /** Waits until {@code order} has {@code status}, and returns it then. */
  Order awaitStatus(Order order, OrderStatus status) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(order), current -> current.getStatus() == status);
  }

  /** Waits until orders' consumers committed event {@code eventId}. */
  static void awaitProcessed(String eventId) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> harness.processed(eventId));
  }
}
