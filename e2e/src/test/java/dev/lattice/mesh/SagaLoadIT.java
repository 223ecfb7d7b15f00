package dev.lattice.mesh;

import static dev.lattice.mesh.SagaFleet.orderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Value;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.DeliverOrderRequest;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.orders.v1.ListOrdersResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.PackOrderRequest;
import dev.lattice.orders.v1.RefundOrderRequest;
import dev.lattice.orders.v1.ShipOrderRequest;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The saga under load: a storm of retried CreateOrder calls, reservation expiry end to end, and a
 * mixed run of 1,000 orders whose every order must settle with no double charge and no unit sold
 * twice. Reservations live {@value #TTL_SECONDS} s here, so expiries happen within the run.
 */
class SagaLoadIT {

  static final int TTL_SECONDS = 5;
  static final EnumSet<OrderStatus> TERMINAL =
      EnumSet.of(
          OrderStatus.ORDER_STATUS_DELIVERED,
          OrderStatus.ORDER_STATUS_CANCELLED,
          OrderStatus.ORDER_STATUS_REFUNDED);

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static SagaFleet saga;

  /** Each service's per-caller limit here: above what two cores serve one caller. */
  static final int LOAD_RATE_LIMIT = 1_000_000;

  @BeforeAll
  static void start() throws Exception {
    saga =
        SagaFleet.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_INVENTORY_RESERVATION_TTL",
                "PT" + TTL_SECONDS + "S",
                "LATTICE_INVENTORY_EXPIRY_INTERVAL",
                "PT0.5S",
                // The storm races 10,000 CreateOrders of one customer, 100 at a time: a load test
                // of the saga, not of the per-caller limit (decision 0019), which would refuse it.
                "LATTICE_RATE_LIMIT_PER_SECOND",
                Integer.toString(LOAD_RATE_LIMIT),
                // Nor of the bound on orders waiting for their saga (decision 0021; OrdersCreateIT
                // and the chaos run test it): the mixed run's 32 callers do not wait for a saga
                // before the next order, so its 1,000 orders would meet the bound.
                "LATTICE_ORDERS_MAX_OPEN_SAGAS",
                "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (saga != null) {
      saga.close();
    }
  }

  @Test
  void reservationExpires_orderCancelled_stockBack() {
    Product product = saga.product(400, 2);

    Order created = saga.order("tok_noConfirm", product, 2);

    Order cancelled = saga.awaitStatus(created.getId(), OrderStatus.ORDER_STATUS_CANCELLED);
    assertThat(cancelled.getCancellationReason())
        .isEqualTo(CancellationReason.CANCELLATION_REASON_RESERVATION_EXPIRED);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Stock stock = saga.stock(product.getId());
              assertThat(List.of(stock.getAvailable(), stock.getReserved(), stock.getSold()))
                  .containsExactly(2L, 0L, 0L);
            });
  }

  @Test
  void fiftyParallelRetriesOfEachOf200Keys_oneOrderAndOneChargePerKey() throws Exception {
    Product product = saga.product(150, 1_000);
    String customer = "storm-" + UUID.randomUUID() + "@saga.test";
    saga.fleet.user(customer, "customer");
    String token = saga.fleet.login(customer, AuthFleet.PASSWORD).getAccessToken();
    CreateOrderRequest request = orderOf("tok_visa", product, 1);
    Map<String, Set<String>> orderIdsByKey = new ConcurrentHashMap<>();
    Map<Status.Code, Integer> failures = new ConcurrentHashMap<>();

    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      // Two keys at a time: each key's 50 calls race one another (and the other key's).
      for (int round = 0; round < 100; round++) {
        List<Future<?>> calls = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int k = 0; k < 2; k++) {
          String key = UUID.randomUUID().toString();
          orderIdsByKey.put(key, ConcurrentHashMap.newKeySet());
          for (int i = 0; i < 50; i++) {
            calls.add(
                callers.submit(
                    () -> {
                      go.await();
                      try {
                        orderIdsByKey
                            .get(key)
                            .add(saga.orders(token, key).createOrder(request).getOrder().getId());
                      } catch (StatusRuntimeException e) {
                        failures.merge(e.getStatus().getCode(), 1, Integer::sum);
                      }
                      return null;
                    }));
          }
        }
        go.countDown();
        for (Future<?> call : calls) {
          call.get();
        }
      }
    }

    assertThat(failures.keySet())
        .as("every reply is the order or ABORTED")
        .isSubsetOf(Status.Code.ABORTED);
    assertThat(orderIdsByKey).hasSize(200);
    assertThat(orderIdsByKey.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
    Set<String> orderIds = new HashSet<>();
    orderIdsByKey.values().forEach(orderIds::addAll);
    assertThat(orderIds).hasSize(200);
    assertThat(listAll(token))
        .extracting(Order::getId)
        .containsExactlyInAnyOrderElementsOf(orderIds);
    for (String orderId : orderIds) {
      saga.awaitStatus(orderId, OrderStatus.ORDER_STATUS_PAID);
      assertThat(saga.charges(orderId)).as("charges of " + orderId).hasSize(1);
    }
    Stock stock = saga.stock(product.getId());
    assertThat(List.of(stock.getAvailable(), stock.getReserved(), stock.getSold()))
        .containsExactly(800L, 0L, 200L);
  }

  /**
   * 1,000 orders over a few products: cards that succeed, decline, confirm late by webhook or never
   * confirm (the reservation expires), customers cancelling before or after payment, staff
   * delivering or refunding paid orders. At the end every order is DELIVERED, CANCELLED or
   * REFUNDED; no order has two charges; a captured charge stands only behind a delivered order
   * (everything else was refunded); and per product available + reserved + sold equals the stock
   * put in, with reserved back at 0 and sold equal to the delivered quantities.
   */
  @Test
  void mixedRunOf1000Orders_everyOrderSettles_noDoubleCharge_stockConserved() throws Exception {
    Random random = new Random(20261123L);
    List<Product> products = new ArrayList<>();
    Map<String, Long> stockPutIn = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      long units = 150 + 50L * i;
      Product product = saga.product(100 + i, units);
      products.add(product);
      stockPutIn.put(product.getId(), units);
    }
    String[] cards = {
      "tok_visa",
      "tok_visa",
      "tok_visa",
      "tok_async",
      "tok_chargeDeclined",
      "tok_insufficientFunds",
      "tok_noConfirm",
      "tok_flaky"
    };
    List<String> orderIds = Collections.synchronizedList(new ArrayList<>());
    Set<String> cancelEarly = ConcurrentHashMap.newKeySet();
    Semaphore inFlight = new Semaphore(32);
    java.util.concurrent.atomic.AtomicInteger unavailable =
        new java.util.concurrent.atomic.AtomicInteger();

    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> calls = new ArrayList<>();
      for (int n = 0; n < 1_000; n++) {
        String card = cards[random.nextInt(cards.length)];
        List<Product> chosen = new ArrayList<>(products);
        Collections.shuffle(chosen, random);
        CreateOrderRequest.Builder request =
            CreateOrderRequest.newBuilder()
                .setCurrency(SagaFleet.CURRENCY)
                .setPaymentMethodToken(card);
        for (Product product : chosen.subList(0, 1 + random.nextInt(2))) {
          request.addLines(
              CreateOrderRequest.Line.newBuilder()
                  .setProductId(product.getId())
                  .setQuantity(1 + random.nextInt(3)));
        }
        boolean cancel = random.nextInt(10) == 0;
        inFlight.acquire();
        calls.add(
            callers.submit(
                () -> {
                  try {
                    Order order =
                        createRetryingUnavailable(
                            request.build(), UUID.randomUUID().toString(), unavailable);
                    orderIds.add(order.getId());
                    if (cancel) {
                      cancelEarly.add(order.getId());
                      cancel(order.getId());
                    }
                  } finally {
                    inFlight.release();
                  }
                  return null;
                }));
      }
      for (Future<?> call : calls) {
        call.get();
      }
    }
    System.out.printf(
        "SagaLoadIT: 1,000 CreateOrders, %d UNAVAILABLE answers retried under their key%n",
        unavailable.get());
    assertThat(orderIds).as("one order per key, retries included").hasSize(1_000);
    assertThat(Set.copyOf(orderIds)).hasSize(1_000);

    // Staff finish every paid order: most are delivered, some refunded. One listing of the
    // customer's orders per round, not a GetOrder per order.
    Set<String> run = Set.copyOf(orderIds);
    Set<String> open = new HashSet<>(orderIds);
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (Order order : listAll(saga.customerToken)) {
        if (!open.contains(order.getId())) {
          continue;
        }
        switch (order.getStatus()) {
          case ORDER_STATUS_PAID -> finish(order.getId(), order, random.nextInt(5) == 0);
          case ORDER_STATUS_DELIVERED, ORDER_STATUS_CANCELLED, ORDER_STATUS_REFUNDED ->
              open.remove(order.getId());
          default -> {} // still on its way
        }
      }
      Thread.sleep(200);
    }
    assertThat(open).as("orders that never settled").isEmpty();

    Map<String, Long> deliveredUnits = new HashMap<>();
    Map<OrderStatus, Integer> byStatus = new HashMap<>();
    Map<String, OrderStatus> finalStatus = new HashMap<>();
    for (Order order : listAll(saga.customerToken)) {
      if (!run.contains(order.getId())) {
        continue;
      }
      assertThat(TERMINAL).contains(order.getStatus());
      finalStatus.put(order.getId(), order.getStatus());
      byStatus.merge(order.getStatus(), 1, Integer::sum);
      if (order.getStatus() == OrderStatus.ORDER_STATUS_DELIVERED) {
        for (OrderLine line : order.getLinesList()) {
          deliveredUnits.merge(line.getProductId(), (long) line.getQuantity(), Long::sum);
        }
      }
    }
    assertThat(finalStatus).hasSize(1_000);
    assertThat(byStatus)
        .as("the run exercised every ending")
        .containsKeys(
            OrderStatus.ORDER_STATUS_DELIVERED,
            OrderStatus.ORDER_STATUS_CANCELLED,
            OrderStatus.ORDER_STATUS_REFUNDED);

    // Money: at most one charge per order; what stays captured belongs to delivered orders.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Map<String, Integer> chargesByOrder = new HashMap<>();
              for (Value charge : saga.charges(null)) {
                chargesByOrder.merge(
                    charge.getStructValue().getFieldsOrThrow("idempotency_key").getStringValue(),
                    1,
                    Integer::sum);
              }
              Map<String, Payment> paymentByOrder = new HashMap<>();
              for (Payment payment : saga.allPayments()) {
                assertThat(paymentByOrder.put(payment.getOrderId(), payment))
                    .as("one payment per order")
                    .isNull();
              }
              for (String id : orderIds) {
                assertThat(chargesByOrder.getOrDefault(id, 0))
                    .as("charges of " + id)
                    .isLessThanOrEqualTo(1);
                Payment payment = paymentByOrder.get(id);
                boolean delivered = finalStatus.get(id) == OrderStatus.ORDER_STATUS_DELIVERED;
                boolean keepsMoney =
                    payment != null && payment.getStatus() == PaymentStatus.PAYMENT_STATUS_CAPTURED;
                assertThat(keepsMoney)
                    .as("payment of " + id + " kept exactly when delivered")
                    .isEqualTo(delivered);
              }
            });

    // Stock: conserved, nothing left reserved, sold = delivered.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (Product product : products) {
                Stock stock = saga.stock(product.getId());
                assertThat(stock.getAvailable() + stock.getReserved() + stock.getSold())
                    .as("units of " + product.getSku())
                    .isEqualTo(stockPutIn.get(product.getId()));
                assertThat(stock.getReserved()).as("reserved " + product.getSku()).isZero();
                assertThat(stock.getSold())
                    .as("sold " + product.getSku())
                    .isEqualTo(deliveredUnits.getOrDefault(product.getId(), 0L));
              }
            });
  }

  /** Refunds or delivers a paid order; a race with the saga (it moved meanwhile) waits a round. */
  private static void finish(String id, Order order, boolean refund) {
    try {
      if (refund) {
        saga.orders(saga.staffToken, UUID.randomUUID().toString())
            .refundOrder(
                RefundOrderRequest.newBuilder()
                    .setOrderId(id)
                    .setVersion(order.getVersion())
                    .setReason("damaged")
                    .build());
        return;
      }
      Order packed =
          saga.orders(saga.staffToken)
              .packOrder(
                  PackOrderRequest.newBuilder()
                      .setOrderId(id)
                      .setVersion(order.getVersion())
                      .build())
              .getOrder();
      Order shipped =
          saga.orders(saga.staffToken)
              .shipOrder(
                  ShipOrderRequest.newBuilder()
                      .setOrderId(id)
                      .setVersion(packed.getVersion())
                      .setCarrier("UPS")
                      .setTrackingNumber("1Z" + id.substring(0, 8))
                      .build())
              .getOrder();
      saga.orders(saga.staffToken)
          .deliverOrder(
              DeliverOrderRequest.newBuilder()
                  .setOrderId(id)
                  .setVersion(shipped.getVersion())
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ABORTED
          && e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
    }
  }

  private static void cancel(String orderId) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Order order = saga.get(orderId);
      if (TERMINAL.contains(order.getStatus())) {
        return;
      }
      try {
        saga.orders(saga.customerToken)
            .cancelOrder(
                CancelOrderRequest.newBuilder()
                    .setOrderId(orderId)
                    .setVersion(order.getVersion())
                    .build());
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.ABORTED) {
          throw e; // only a version race with the saga may be retried
        }
      }
    }
  }

  private static List<Order> listAll(String token) {
    List<Order> all = new ArrayList<>();
    String pageToken = "";
    do {
      ListOrdersResponse page =
          saga.orders(token)
              .listOrders(
                  ListOrdersRequest.newBuilder().setPageSize(100).setPageToken(pageToken).build());
      all.addAll(page.getOrdersList());
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    return all;
  }

  /**
   * CreateOrder under {@code key}, repeated under the same key while the answer is {@code
   * UNAVAILABLE}, as the contract tells every client to (a loaded machine may time out the call to
   * inventory or a pool checkout): at most 10 attempts, 200 ms apart.
   */
  private static Order createRetryingUnavailable(
      CreateOrderRequest request, String key, java.util.concurrent.atomic.AtomicInteger retried)
      throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return saga.orders(saga.customerToken, key).createOrder(request).getOrder();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == 10) {
          throw e;
        }
        retried.incrementAndGet();
        Thread.sleep(200);
      }
    }
  }
}
