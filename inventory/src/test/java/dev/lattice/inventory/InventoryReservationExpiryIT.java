package dev.lattice.inventory;

import static dev.lattice.inventory.OrderEventsPublisher.cancelled;
import static dev.lattice.inventory.OrderEventsPublisher.created;
import static dev.lattice.inventory.OrderEventsPublisher.paid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.AdjustStockRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockCommitted;
import dev.lattice.inventory.v1.StockLine;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reservation expiry job against two real inventory replicas with a 1-second reservation TTL
 * and a 200 ms expiry interval: unpaid reservations are released once and announced, and an order
 * paid after its reservation expired takes its units straight from available, or is rejected when
 * they are gone (decision 0008, "capture before expiry at orders, expiry before commit").
 */
@Timeout(180)
class InventoryReservationExpiryIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final Map<String, String> SHORT_RESERVATIONS =
      Map.of(
          "LATTICE_INVENTORY_RESERVATION_TTL", "1s",
          "LATTICE_INVENTORY_EXPIRY_INTERVAL", "200ms");

  static InventoryHarness inventory;
  static InventoryHarness replica;
  static EventTap events;
  static OrderEventsPublisher orders;

  UUID tenant;
  InventoryServiceBlockingStub staff;

  @BeforeAll
  static void start() throws Exception {
    events = EventTap.open(nats.url(), "inventory");
    orders = OrderEventsPublisher.open(nats.url());
    inventory = InventoryHarness.start(postgres, nats, SHORT_RESERVATIONS);
    replica = InventoryHarness.start(postgres, nats, SHORT_RESERVATIONS);
  }

  @AfterAll
  static void stop() throws Exception {
    replica.close();
    inventory.close();
    orders.close();
    events.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff =
        inventory.stub(
            inventory.tokens().token(tenant, "staff", "inventory.read", "inventory.write"));
  }

  @Test
  void unpaidReservation_expiresOnce_andALaterPaymentTakesFromAvailable() throws Exception {
    Product product = product(5);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    Envelope reservedEnvelope =
        events.await(StockReserved.class, r -> r.getOrderId().equals(order.toString()));
    StockReserved reserved = EventTap.unpack(reservedEnvelope, StockReserved.class);
    assertThat(
            Durations.toMillis(
                Timestamps.between(reservedEnvelope.getOccurredAt(), reserved.getExpireTime())))
        .as("ms from the event to its expiry: the 1 s TTL less the time the handler took")
        .isBetween(500L, 1_000L);

    ReservationExpired expired = expiredEvent(order);
    assertThat(expired.getReservationId()).isEqualTo(reserved.getReservationId());
    assertThat(expired.getLinesList()).containsExactly(line(product, 2));
    assertStock(product, 5, 0, 0, 3);
    assertThat(expired.getStockList()).as("the stock it left").containsExactly(stock(product));
    assertThat(reservationStatus(order)).isEqualTo("EXPIRED");
    assertThat(events.all(ReservationExpired.class, e -> e.getOrderId().equals(order.toString())))
        .hasSize(1);

    orders.publish(tenant, order, paid(order));
    StockCommitted committed =
        EventTap.unpack(
            events.await(StockCommitted.class, c -> c.getOrderId().equals(order.toString())),
            StockCommitted.class);
    assertThat(committed.getReservationId()).isEqualTo(reserved.getReservationId());
    assertThat(committed.getLinesList()).containsExactly(line(product, 2));
    assertStock(product, 3, 0, 2, 4);
    assertThat(committed.getStockList())
        .as("sold from available after the expiry: the stock it left")
        .containsExactly(stock(product));
    assertThat(reservationStatus(order)).isEqualTo("COMMITTED");
  }

  @Test
  void paymentAfterExpiry_whenTheUnitsAreGone_rejectsThePaidOrder() throws Exception {
    Product product = product(2);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 2)));
    expiredEvent(order);
    Stock stock = stock(product);
    staff.adjustStock(
        AdjustStockRequest.newBuilder()
            .setProductId(product.getId())
            .setVersion(stock.getVersion())
            .setDelta(-1)
            .setReason("damaged")
            .build());

    orders.publish(tenant, order, paid(order));

    Envelope envelope =
        events.await(StockRejected.class, r -> r.getOrderId().equals(order.toString()));
    StockRejected rejected = EventTap.unpack(envelope, StockRejected.class);
    assertThat(rejected.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK);
    assertThat(rejected.getShortLinesList())
        .containsExactly(
            StockRejected.ShortLine.newBuilder()
                .setProductId(product.getId())
                .setRequested(2)
                .setAvailable(1)
                .build());
    assertThat(envelope.getAggregateType()).isEqualTo("reservation");
    assertStock(product, 1, 0, 0, 4);
    assertThat(reservationStatus(order)).isEqualTo("EXPIRED");
    assertThat(events.all(StockCommitted.class, c -> c.getOrderId().equals(order.toString())))
        .isEmpty();
  }

  @Test
  void cancellationAfterExpiry_hasNoEffect() throws Exception {
    Product product = product(3);
    UUID order = UUID.randomUUID();
    orders.publish(tenant, order, created(order, Map.of(product.getId(), 3)));
    expiredEvent(order);

    orders.publish(tenant, order, cancelled(order));
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(orders::allConsumed);

    assertStock(product, 3, 0, 0, 3);
    assertThat(reservationStatus(order)).isEqualTo("EXPIRED");
    assertThat(inventory.sqlLong("select version from reservations where order_id = ?", order))
        .isEqualTo(2);
  }

  private ReservationExpired expiredEvent(UUID order) {
    return EventTap.unpack(
        events.await(ReservationExpired.class, e -> e.getOrderId().equals(order.toString())),
        ReservationExpired.class);
  }

  private Product product(long stock) {
    return staff
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku("E-" + UUID.randomUUID().toString().substring(0, 8))
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

  private String reservationStatus(UUID order) {
    return (String)
        inventory.sqlValue(
            "select status from reservations where tenant_id = ? and order_id = ?", tenant, order);
  }
}
