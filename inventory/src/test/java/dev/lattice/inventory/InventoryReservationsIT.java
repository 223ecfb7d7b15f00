package dev.lattice.inventory;

import static dev.lattice.inventory.OrderEventsPublisher.cancelled;
import static dev.lattice.inventory.OrderEventsPublisher.created;
import static dev.lattice.inventory.OrderEventsPublisher.paid;
import static dev.lattice.inventory.OrderEventsPublisher.refunded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Timestamps;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.DeleteProductRequest;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockCommitted;
import dev.lattice.inventory.v1.StockLine;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReleased;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.inventory.v1.StockReturned;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Inventory's side of the order saga (decision 0008) against three real inventory replicas on one
 * database, fed ORDERS events over real NATS: all-or-none reservations, commit, release, return,
 * redeliveries without a second effect, tenancy, and 100 concurrent orders for 10 units. Every test
 * works in a fresh tenant and observes the published events and GetStock.
 */
@Timeout(180)
class InventoryReservationsIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final List<InventoryHarness> replicas = new ArrayList<>();
  static InventoryHarness inventory;
  static EventTap events;
  static OrderEventsPublisher orders;

  UUID tenant;
  InventoryServiceBlockingStub staff;

  @BeforeAll
  static void start() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    orders = OrderEventsPublisher.open(nats.url());
    for (int i = 0; i < 3; i++) {
      replicas.add(InventoryHarness.start(postgres, nats));
    }
    inventory = replicas.get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    for (InventoryHarness replica : replicas) {
      replica.close();
    }
    orders.close();
    events.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff = stub(tenant);
  }

  @Test
  void orderCreated_reservesEveryLine() throws Exception {
    Product first = product(5);
    Product second = product(3);
    UUID order = UUID.randomUUID();
    Instant before = Instant.now();

    orders.publish(tenant, order, created(order, Map.of(first.getId(), 2, second.getId(), 3)));

    StockReserved reserved = awaitEvent(StockReserved.class, order, StockReserved::getOrderId);
    assertThat(reserved.getLinesList()).containsExactlyInAnyOrder(line(first, 2), line(second, 3));
    Instant expires = Instant.ofEpochMilli(Timestamps.toMillis(reserved.getExpireTime()));
    assertThat(expires)
        .isBetween(
            before.plus(Duration.ofMinutes(15)).minusSeconds(1),
            Instant.now().plus(Duration.ofMinutes(15)).plusSeconds(1));
    assertStock(first, 3, 2, 0, 2);
    assertStock(second, 0, 3, 0, 2);
    assertThat(reserved.getStockList())
        .as("the stock it left, one per line in line order")
        .containsExactlyElementsOf(
            reserved.getLinesList().stream()
                .map(l -> l.getProductId().equals(first.getId()) ? first : second)
                .map(this::stock)
                .toList());
    assertThat(reservationStatus(order)).isEqualTo("ACTIVE");
  }

  @Test
  void orderCreated_oneLineShort_reservesNoneAndRejects() throws Exception {
    Product plenty = product(5);
    Product scarce = product(1);
    UUID order = UUID.randomUUID();

    orders.publish(tenant, order, created(order, Map.of(plenty.getId(), 3, scarce.getId(), 2)));

    StockRejected rejected = awaitEvent(StockRejected.class, order, StockRejected::getOrderId);
    assertThat(rejected.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK);
    assertThat(rejected.getShortLinesList())
        .containsExactly(
            StockRejected.ShortLine.newBuilder()
                .setProductId(scarce.getId())
                .setRequested(2)
                .setAvailable(1)
                .build());
    assertStock(plenty, 5, 0, 0, 1);
    assertStock(scarce, 1, 0, 0, 1);
    assertThat(reservations()).isZero();
  }

  @Test
  void orderCreated_deletedOrUnknownProduct_rejectsAsUnavailable() throws Exception {
    Product live = product(5);
    Product deleted = product(5);
    staff.deleteProduct(
        DeleteProductRequest.newBuilder()
            .setProductId(deleted.getId())
            .setVersion(deleted.getVersion())
            .build());
    String unknown = UUID.randomUUID().toString();
    UUID order = UUID.randomUUID();

    orders.publish(
        tenant, order, created(order, Map.of(live.getId(), 1, deleted.getId(), 1, unknown, 4)));

    StockRejected rejected = awaitEvent(StockRejected.class, order, StockRejected::getOrderId);
    assertThat(rejected.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE);
    assertThat(rejected.getShortLinesList())
        .containsExactlyInAnyOrder(
            StockRejected.ShortLine.newBuilder()
                .setProductId(deleted.getId())
                .setRequested(1)
                .build(),
            StockRejected.ShortLine.newBuilder().setProductId(unknown).setRequested(4).build());
    assertStock(live, 5, 0, 0, 1);
    assertThat(
            inventory.sqlLong(
                "select available from stock where product_id = ?",
                UUID.fromString(deleted.getId())))
        .isEqualTo(5);
    assertThat(reservations()).isZero();
  }

  @Test
  void orderCreated_inAnotherTenant_cannotReserveThisTenantsProduct() throws Exception {
    Product product = product(5);
    UUID otherTenant = UUID.randomUUID();
    UUID order = UUID.randomUUID();

    orders.publish(otherTenant, order, created(order, Map.of(product.getId(), 1)));

    StockRejected rejected = awaitEvent(StockRejected.class, order, StockRejected::getOrderId);
    assertThat(rejected.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE);
    assertThat(rejected.getShortLinesList())
        .extracting(StockRejected.ShortLine::getAvailable)
        .containsExactly(0L);
    assertThat(envelope(StockRejected.class, order, StockRejected::getOrderId).getTenantId())
        .isEqualTo(otherTenant.toString());
    assertStock(product, 5, 0, 0, 1);
  }

  @Test
  void orderCreated_redeliveredOrRepeated_reservesOnce() throws Exception {
    Product product = product(5);
    UUID order = UUID.randomUUID();
    Envelope event = orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    awaitEvent(StockReserved.class, order, StockReserved::getOrderId);

    orders.redeliver(event);
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    awaitConsumed();

    assertStock(product, 3, 2, 0, 2);
    assertThat(reservations()).isOne();
    assertThat(
            inventory.sqlLong(
                "select count(*) from processed_events where consumer = 'inventory-order-created' and event_id = ?",
                UUID.fromString(event.getEventId())))
        .isOne();
    assertThat(events.all(StockReserved.class, r -> r.getOrderId().equals(order.toString())))
        .hasSize(1);
  }

  @Test
  void orderPaid_commitsOnce_thenOrderRefunded_returnsOnce() throws Exception {
    Product product = product(5);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    StockReserved reserved = awaitEvent(StockReserved.class, order, StockReserved::getOrderId);

    Envelope payment = orders.publish(tenant, order, paid(order));
    StockCommitted committed = awaitEvent(StockCommitted.class, order, StockCommitted::getOrderId);
    assertThat(committed.getReservationId()).isEqualTo(reserved.getReservationId());
    assertThat(committed.getLinesList()).containsExactly(line(product, 2));
    assertStock(product, 3, 0, 2, 3);
    assertThat(committed.getStockList()).containsExactly(stock(product));
    assertThat(reservationStatus(order)).isEqualTo("COMMITTED");

    orders.redeliver(payment);
    orders.publish(tenant, order, paid(order));
    orders.publish(tenant, order, cancelled(order));
    awaitConsumed();
    assertStock(product, 3, 0, 2, 3);
    assertThat(reservationVersion(order)).isEqualTo(2);

    Envelope refund = orders.publish(tenant, order, refunded(order));
    StockReturned returned = awaitEvent(StockReturned.class, order, StockReturned::getOrderId);
    assertThat(returned.getLinesList()).containsExactly(line(product, 2));
    assertStock(product, 5, 0, 0, 4);
    assertThat(returned.getStockList()).containsExactly(stock(product));
    assertThat(reservationStatus(order)).isEqualTo("RETURNED");

    orders.redeliver(refund);
    orders.publish(tenant, order, refunded(order));
    orders.publish(tenant, order, paid(order));
    awaitConsumed();
    assertStock(product, 5, 0, 0, 4);
    assertThat(reservationVersion(order)).isEqualTo(3);
    assertThat(events.all(StockCommitted.class, e -> e.getOrderId().equals(order.toString())))
        .hasSize(1);
    assertThat(events.all(StockReturned.class, e -> e.getOrderId().equals(order.toString())))
        .hasSize(1);
  }

  @Test
  void orderCancelled_releasesOnce() throws Exception {
    Product product = product(4);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 3)));
    awaitEvent(StockReserved.class, order, StockReserved::getOrderId);
    assertStock(product, 1, 3, 0, 2);

    Envelope cancel = orders.publish(tenant, order, cancelled(order));
    StockReleased released = awaitEvent(StockReleased.class, order, StockReleased::getOrderId);
    assertThat(released.getLinesList()).containsExactly(line(product, 3));
    assertStock(product, 4, 0, 0, 3);
    assertThat(released.getStockList()).containsExactly(stock(product));
    assertThat(reservationStatus(order)).isEqualTo("RELEASED");

    orders.redeliver(cancel);
    orders.publish(tenant, order, cancelled(order));
    orders.publish(tenant, order, refunded(order));
    awaitConsumed();
    assertStock(product, 4, 0, 0, 3);
    assertThat(reservationVersion(order)).isEqualTo(2);
    assertThat(events.all(StockReleased.class, e -> e.getOrderId().equals(order.toString())))
        .hasSize(1);
  }

  @Test
  void orderCancelled_beforeOrderCreatedIsHandled_preventsTheReservation() throws Exception {
    Product product = product(3);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, cancelled(order));
    awaitConsumed();
    assertThat(reservationStatus(order)).isEqualTo("RELEASED");

    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    orders.publish(tenant, order, paid(order));
    awaitConsumed();

    assertStock(product, 3, 0, 0, 1);
    assertThat(reservationStatus(order)).isEqualTo("RELEASED");
    assertThat(reservationVersion(order)).isEqualTo(1);
    assertThat(
            inventory.sqlLong("select count(*) from reservation_lines where tenant_id = ?", tenant))
        .isZero();
    assertThat(events.all(StockReserved.class, e -> e.getOrderId().equals(order.toString())))
        .isEmpty();
    assertThat(events.all(StockReleased.class, e -> e.getOrderId().equals(order.toString())))
        .isEmpty();
  }

  @Test
  void orderRefunded_beforePayment_releasesTheReservation() throws Exception {
    Product product = product(2);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    awaitEvent(StockReserved.class, order, StockReserved::getOrderId);

    orders.publish(tenant, order, refunded(order));

    StockReleased released = awaitEvent(StockReleased.class, order, StockReleased::getOrderId);
    assertThat(released.getLinesList()).containsExactly(line(product, 2));
    assertStock(product, 2, 0, 0, 3);
    assertThat(reservationStatus(order)).isEqualTo("RELEASED");

    // The order's OrderPaid, handled late by its own consumer, must not sell the released units.
    orders.publish(tenant, order, paid(order));
    awaitConsumed();
    assertStock(product, 2, 0, 0, 3);
    assertThat(reservationStatus(order)).isEqualTo("RELEASED");
    assertThat(events.all(StockCommitted.class, e -> e.getOrderId().equals(order.toString())))
        .isEmpty();
  }

  @Test
  void hundredConcurrentOrders_forTenUnits_reserveExactlyTen() throws Exception {
    Product product = product(10);
    Set<String> orderIds = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      UUID order = UUID.randomUUID();
      orderIds.add(order.toString());
      orders.publish(tenant, order, created(order, Map.of(product.getId(), 1)));
    }

    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                events.all(StockReserved.class, r -> orderIds.contains(r.getOrderId())).size()
                        + events
                            .all(StockRejected.class, r -> orderIds.contains(r.getOrderId()))
                            .size()
                    >= 100);

    List<StockReserved> reserved =
        events.all(StockReserved.class, r -> orderIds.contains(r.getOrderId()));
    List<StockRejected> rejected =
        events.all(StockRejected.class, r -> orderIds.contains(r.getOrderId()));
    assertThat(reserved).hasSize(10);
    assertThat(rejected)
        .hasSize(90)
        .allSatisfy(
            r -> {
              assertThat(r.getReason())
                  .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK);
              assertThat(r.getShortLinesList())
                  .containsExactly(
                      StockRejected.ShortLine.newBuilder()
                          .setProductId(product.getId())
                          .setRequested(1)
                          .setAvailable(0)
                          .build());
            });
    assertThat(reserved.stream().map(StockReserved::getOrderId).distinct()).hasSize(10);
    // Each reservation carries the stock it left: one version each, available counting down.
    assertThat(reserved.stream().map(r -> r.getStock(0)).toList())
        .allSatisfy(s -> assertThat(s.getAvailable() + s.getReserved()).isEqualTo(10))
        .extracting(Stock::getVersion)
        .containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(rejected.stream().map(StockRejected::getOrderId).distinct()).hasSize(90);
    assertStock(product, 0, 10, 0, 11);
    assertThat(reservations()).isEqualTo(10);
  }

  private InventoryServiceBlockingStub stub(UUID tenantId) {
    return inventory.stub(
        inventory.tokens().token(tenantId, "staff", "inventory.read", "inventory.write"));
  }

  private Product product(long stock) {
    return staff
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku("P-" + UUID.randomUUID().toString().substring(0, 8))
                .setName("Widget")
                .setPriceAmountMinor(1000)
                .setCurrency("EUR")
                .setInitialStock(stock)
                .build())
        .getProduct();
  }

  private Stock stock(Product product) {
    return staff
        .getStock(GetStockRequest.newBuilder().setProductId(product.getId()).build())
        .getStock();
  }

  private void assertStock(
      Product product, long available, long reserved, long sold, long version) {
    Stock stock = stock(product);
    assertThat(stock.getAvailable()).as("available").isEqualTo(available);
    assertThat(stock.getReserved()).as("reserved").isEqualTo(reserved);
    assertThat(stock.getSold()).as("sold").isEqualTo(sold);
    assertThat(stock.getVersion()).as("version").isEqualTo(version);
  }

  private static StockLine line(Product product, long quantity) {
    return StockLine.newBuilder().setProductId(product.getId()).setQuantity(quantity).build();
  }

  private <T extends com.google.protobuf.Message> T awaitEvent(
      Class<T> type, UUID order, java.util.function.Function<T, String> orderId) {
    return EventTap.unpack(envelope(type, order, orderId), type);
  }

  private <T extends com.google.protobuf.Message> Envelope envelope(
      Class<T> type, UUID order, java.util.function.Function<T, String> orderId) {
    Predicate<T> ofOrder = event -> orderId.apply(event).equals(order.toString());
    return events.await(type, ofOrder);
  }

  private void awaitConsumed() {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(orders::allConsumed);
  }

  private long reservations() {
    return inventory.sqlLong("select count(*) from reservations where tenant_id = ?", tenant);
  }

  private String reservationStatus(UUID order) {
    return (String)
        inventory.sqlValue(
            "select status from reservations where tenant_id = ? and order_id = ?", tenant, order);
  }

  private long reservationVersion(UUID order) {
    return inventory.sqlLong(
        "select version from reservations where tenant_id = ? and order_id = ?", tenant, order);
  }
}
