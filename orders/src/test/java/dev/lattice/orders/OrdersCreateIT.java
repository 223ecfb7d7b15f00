package dev.lattice.orders;

import static dev.lattice.orders.OrdersHarness.detail;
import static dev.lattice.orders.OrdersHarness.keyed;
import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import com.google.rpc.RetryInfo;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.DeleteProductRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.UpdateProductRequest;
import dev.lattice.local.FreePorts;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import dev.lattice.testing.service.EventTap;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CreateOrder against real inventory: the price snapshot, OrderCreated, what an invalid order
 * writes (nothing), idempotency keys under replay, reuse and concurrency, and inventory down.
 */
class OrdersCreateIT extends OrdersTestBase {

  @Test
  void createOrder_snapshotsPricesAndEmitsOrderCreated() {
    CreateOrderRequest request =
        CreateOrderRequest.newBuilder()
            .setCurrency("EUR")
            .setPaymentMethodToken("tok_visa")
            .addLines(line(teapot, 2))
            .addLines(line(cup, 3))
            .build();
    Order order = place(alice, request);

    assertThat(order.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);
    assertThat(order.getTenantId()).isEqualTo(tenant.toString());
    assertThat(order.getCustomerId()).isEqualTo(aliceId.toString());
    assertThat(UUID.fromString(order.getId()).version()).isEqualTo(7);
    assertThat(order.getVersion()).isEqualTo(1);
    assertThat(order.getCurrency()).isEqualTo("EUR");
    assertThat(order.getLinesList())
        .containsExactly(
            OrderLine.newBuilder()
                .setProductId(teapot.getId())
                .setSku(teapot.getSku())
                .setName("Teapot")
                .setQuantity(2)
                .setUnitPriceAmountMinor(1250)
                .setLineTotalAmountMinor(2500)
                .build(),
            OrderLine.newBuilder()
                .setProductId(cup.getId())
                .setSku(cup.getSku())
                .setName("Cup")
                .setQuantity(3)
                .setUnitPriceAmountMinor(399)
                .setLineTotalAmountMinor(1197)
                .build());
    assertThat(order.getTotalAmountMinor()).isEqualTo(3697);
    assertThat(order.hasCreateTime()).isTrue();
    assertThat(order.getUpdateTime()).isEqualTo(order.getCreateTime());
    assertThat(order.hasPayTime()).isFalse();
    assertThat(get(order)).isEqualTo(order);

    // The price is a snapshot: a later price change leaves the order as it was.
    catalog.updateProduct(
        UpdateProductRequest.newBuilder()
            .setProductId(teapot.getId())
            .setVersion(teapot.getVersion())
            .setProduct(Product.newBuilder().setPriceAmountMinor(9999))
            .setUpdateMask(FieldMask.newBuilder().addPaths("price_amount_minor"))
            .build());
    assertThat(get(order)).isEqualTo(order);

    Envelope event =
        harness.events().await(OrderCreated.class, e -> e.getOrderId().equals(order.getId()));
    assertThat(event.getType()).isEqualTo("lattice.orders.order_created");
    assertThat(event.getSource()).isEqualTo("orders");
    assertThat(event.getTenantId()).isEqualTo(tenant.toString());
    assertThat(event.getAggregateType()).isEqualTo("order");
    assertThat(event.getAggregateId()).isEqualTo(order.getId());
    assertThat(event.getAggregateVersion()).isEqualTo(1);
    assertThat(event.getActor().getType()).isEqualTo(ActorType.ACTOR_TYPE_USER);
    assertThat(event.getActor().getSubjectId()).isEqualTo(aliceId.toString());
    OrderCreated created = EventTap.unpack(event, OrderCreated.class);
    assertThat(created.getCustomerId()).isEqualTo(aliceId.toString());
    assertThat(created.getLinesList()).isEqualTo(order.getLinesList());
    assertThat(created.getCurrency()).isEqualTo("EUR");
    assertThat(created.getTotalAmountMinor()).isEqualTo(3697);
    assertThat(created.getPaymentMethodToken()).isEqualTo("tok_visa");

    assertThat(
            harness.sqlLong(
                "select count(*) from order_status_history where order_id = ?::uuid and from_status is null"
                    + " and to_status = 'CREATED' and actor_type = 'USER' and actor_subject_id = ?",
                order.getId(),
                aliceId.toString()))
        .isEqualTo(1);
  }

  @Test
  void invalidOrders_writeNothingAndReleaseTheKey() {
    Product deleted = product("Old", 100, "EUR");
    catalog.deleteProduct(
        DeleteProductRequest.newBuilder()
            .setProductId(deleted.getId())
            .setVersion(deleted.getVersion())
            .build());
    Product dollars = product("Import", 500, "USD");
    String unknown = UUID.randomUUID().toString();
    String key = UUID.randomUUID().toString();
    OrdersServiceBlockingStub keyedAlice = keyed(alice, key);

    StatusRuntimeException empty =
        failure(() -> keyedAlice.createOrder(request(teapot, 1).toBuilder().clearLines().build()));
    assertThat(code(empty)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(empty, BadRequest.class).getFieldViolationsList())
        .anySatisfy(v -> assertThat(v.getField()).isEqualTo("lines"));

    StatusRuntimeException duplicate =
        failure(
            () ->
                keyedAlice.createOrder(
                    request(teapot, 1).toBuilder().addLines(line(teapot, 2)).build()));
    assertThat(code(duplicate)).isEqualTo(Status.Code.INVALID_ARGUMENT);

    StatusRuntimeException badCurrency =
        failure(
            () ->
                keyedAlice.createOrder(request(teapot, 1).toBuilder().setCurrency("eur").build()));
    assertThat(code(badCurrency)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(badCurrency, BadRequest.class).getFieldViolationsList())
        .anySatisfy(v -> assertThat(v.getField()).isEqualTo("currency"));

    StatusRuntimeException zeroQuantity = failure(() -> keyedAlice.createOrder(request(teapot, 0)));
    assertThat(code(zeroQuantity)).isEqualTo(Status.Code.INVALID_ARGUMENT);

    StatusRuntimeException missing =
        failure(
            () ->
                keyedAlice.createOrder(
                    request(teapot, 1).toBuilder()
                        .addLines(
                            CreateOrderRequest.Line.newBuilder()
                                .setProductId(unknown)
                                .setQuantity(1))
                        .addLines(line(deleted, 1))
                        .build()));
    assertThat(code(missing)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(missing).getReason()).isEqualTo("PRODUCT_NOT_FOUND");
    assertThat(errorInfo(missing).getMetadataMap())
        .containsEntry("product_ids", unknown + "," + deleted.getId());

    StatusRuntimeException mismatch =
        failure(
            () ->
                keyedAlice.createOrder(
                    request(teapot, 1).toBuilder().addLines(line(dollars, 1)).build()));
    assertThat(code(mismatch)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(mismatch).getReason()).isEqualTo("CURRENCY_MISMATCH");
    assertThat(errorInfo(mismatch).getMetadataMap()).containsEntry("product_ids", dollars.getId());

    StatusRuntimeException noToken =
        failure(
            () ->
                keyedAlice.createOrder(
                    request(teapot, 1).toBuilder().clearPaymentMethodToken().build()));
    assertThat(code(noToken)).isEqualTo(Status.Code.INVALID_ARGUMENT);

    assertThat(ordersOfTenant()).isZero();
    assertThat(harness.sqlLong("select count(*) from outbox_events where tenant_id = ?", tenant))
        .isZero();

    // Failures are not stored under the key: the same key now places a (different) valid order.
    Order placed = keyedAlice.createOrder(request(cup, 1)).getOrder();
    assertThat(placed.getTotalAmountMinor()).isEqualTo(399);
    assertThat(ordersOfTenant()).isEqualTo(1);
  }

  @Test
  void createOrder_withoutIdempotencyKey_isRejected() {
    StatusRuntimeException noKey = failure(() -> alice.createOrder(request(teapot, 1)));
    assertThat(code(noKey)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(noKey).getReason()).isEqualTo("IDEMPOTENCY_KEY_MISSING");
    assertThat(ordersOfTenant()).isZero();
  }

  @Test
  void sameKey_replaysTheOrder_andAnotherBodyIsAlreadyExists() {
    String key = UUID.randomUUID().toString();
    CreateOrderResponse first = keyed(alice, key).createOrder(request(teapot, 1));
    CreateOrderResponse replay = keyed(alice, key).createOrder(request(teapot, 1));
    assertThat(replay).isEqualTo(first);

    StatusRuntimeException reused =
        failure(() -> keyed(alice, key).createOrder(request(teapot, 2)));
    assertThat(code(reused)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(errorInfo(reused).getReason()).isEqualTo("IDEMPOTENCY_KEY_REUSED");

    // Keys belong to their caller: Bob's identical call with Alice's key is his own order.
    Order bobs = keyed(bob, key).createOrder(request(teapot, 1)).getOrder();
    assertThat(bobs.getId()).isNotEqualTo(first.getOrder().getId());

    assertThat(ordersOfTenant()).isEqualTo(2);
    harness.events().await(OrderCreated.class, e -> e.getOrderId().equals(bobs.getId()));
    assertThat(
            harness
                .events()
                .all(OrderCreated.class, e -> e.getOrderId().equals(first.getOrder().getId())))
        .hasSize(1);
  }

  @Test
  void parallelIdenticalCalls_placeOneOrderPerKey() throws Exception {
    int keys = 20;
    int callsPerKey = 50;
    CreateOrderRequest request = request(teapot, 1).toBuilder().addLines(line(cup, 2)).build();
    Map<String, Set<String>> ordersByKey = new LinkedHashMap<>();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    Map<Status.Code, Integer> outcomes = new ConcurrentHashMap<>();
    // One burst of identical calls per key; the pool (10 connections) is sized for ~50 calls in
    // flight, as a replica behind Envoy sees them, not for a thousand at once.
    for (int k = 0; k < keys; k++) {
      String key = "parallel-" + k + "-" + UUID.randomUUID();
      Set<String> replies = ConcurrentHashMap.newKeySet();
      ordersByKey.put(key, replies);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> calls = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < callsPerKey; c++) {
          calls.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      replies.add(keyed(alice, key).createOrder(request).getOrder().getId());
                      outcomes.merge(Status.Code.OK, 1, Integer::sum);
                    } catch (StatusRuntimeException e) {
                      outcomes.merge(code(e), 1, Integer::sum);
                      if (code(e) != Status.Code.ABORTED
                          || !errorInfo(e).getReason().equals("IDEMPOTENCY_KEY_IN_USE")) {
                        unexpected.add(e);
                      }
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> call : calls) {
          call.get(60, TimeUnit.SECONDS);
        }
      }
    }
    assertThat(unexpected).as("outcomes %s", outcomes).isEmpty();
    assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(keys * callsPerKey);
    assertThat(ordersByKey.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
    Set<String> orderIds = new HashSet<>();
    ordersByKey.values().forEach(orderIds::addAll);
    assertThat(orderIds).hasSize(keys);
    assertThat(ordersOfTenant()).isEqualTo(keys);
    assertThat(harness.sqlLong("select count(*) from order_lines where tenant_id = ?", tenant))
        .isEqualTo(2L * keys);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        harness
                            .events()
                            .all(OrderCreated.class, e -> orderIds.contains(e.getOrderId())))
                    .hasSize(keys));
    // Every key replays its one order afterwards.
    for (Map.Entry<String, Set<String>> entry : ordersByKey.entrySet()) {
      assertThat(keyed(alice, entry.getKey()).createOrder(request).getOrder().getId())
          .isEqualTo(entry.getValue().iterator().next());
    }
  }

  @Test
  void inventoryDown_isUnavailableWithRetryInfo_andWritesNothing() throws Exception {
    int deadInventory = FreePorts.next();
    int port = FreePorts.next();
    harness.startOrders(port, "127.0.0.1:" + deadInventory);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      String key = UUID.randomUUID().toString();
      OrdersServiceBlockingStub viaDeadInventory =
          keyed(
              OrdersHarness.orders(
                  channel, harness.tokens().token(tenant, aliceId, OrdersTokens.CUSTOMER)),
              key);
      long started = System.nanoTime();
      StatusRuntimeException down = failure(() -> viaDeadInventory.createOrder(request(teapot, 1)));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(code(down)).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(errorInfo(down).getReason()).isEqualTo("INVENTORY_UNAVAILABLE");
      assertThat(detail(down, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(1);
      assertThat(ordersOfTenant()).isZero();

      // The key was released: the retry through a healthy instance places the order.
      Order placed = keyed(alice, key).createOrder(request(teapot, 1)).getOrder();
      assertThat(placed.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);
      assertThat(ordersOfTenant()).isEqualTo(1);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sagaBacklog_isResourceExhaustedWithRetryInfo_writesNothing_andKeepsTheKey()
      throws Exception {
    // An instance that admits two more orders than wait for their saga now, every tenant's.
    long waiting = harness.sqlLong("select count(*) from orders where status = 'CREATED'");
    int port = FreePorts.next();
    harness.startOrders(
        port,
        "127.0.0.1:" + harness.inventoryPort(),
        Map.of("LATTICE_ORDERS_MAX_OPEN_SAGAS", Long.toString(waiting + 2)));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      OrdersServiceBlockingStub bounded =
          OrdersHarness.orders(
              channel, harness.tokens().token(tenant, aliceId, OrdersTokens.CUSTOMER));
      Order first = place(bounded, request(teapot, 1));
      place(bounded, request(cup, 1));

      String key = UUID.randomUUID().toString();
      StatusRuntimeException full =
          failure(() -> keyed(bounded, key).createOrder(request(teapot, 2)));
      assertThat(code(full)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(errorInfo(full).getReason()).isEqualTo("SAGAS_BACKLOGGED");
      assertThat(errorInfo(full).getMetadataMap())
          .containsEntry("limit", Long.toString(waiting + 2));
      assertThat(detail(full, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(2);
      assertThat(ordersOfTenant()).isEqualTo(2);
      // The order, its lines, history and event are one transaction: none of it was written.
      assertThat(harness.sqlLong("select count(*) from order_lines where tenant_id = ?", tenant))
          .isEqualTo(2);

      // A saga ends (the customer cancels her first order): once the count is read again, the
      // same key places the order it was refused.
      alice.cancelOrder(
          CancelOrderRequest.newBuilder()
              .setOrderId(first.getId())
              .setVersion(first.getVersion())
              .build());
      Order placed =
          await()
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(100))
              .ignoreException(StatusRuntimeException.class)
              .until(
                  () -> keyed(bounded, key).createOrder(request(teapot, 2)).getOrder(), o -> true);
      assertThat(placed.getTotalAmountMinor()).isEqualTo(2500);
      assertThat(ordersOfTenant()).isEqualTo(3);
      // Through the harness's instance, which admits every order, the key replays that order.
      assertThat(keyed(alice, key).createOrder(request(teapot, 2)).getOrder().getId())
          .isEqualTo(placed.getId());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void customerWithoutInventoryRead_cannotPriceAnOrder() {
    OrdersServiceBlockingStub noInventory =
        harness.orders(harness.tokens().token(tenant, aliceId, "orders.read", "orders.write"));
    StatusRuntimeException denied =
        failure(
            () -> keyed(noInventory, UUID.randomUUID().toString()).createOrder(request(teapot, 1)));
    assertThat(code(denied)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(errorInfo(denied).getMetadataMap()).containsEntry("permission", "inventory.read");
    assertThat(ordersOfTenant()).isZero();
  }

  private long ordersOfTenant() {
    return harness.sqlLong("select count(*) from orders where tenant_id = ?", tenant);
  }
}
