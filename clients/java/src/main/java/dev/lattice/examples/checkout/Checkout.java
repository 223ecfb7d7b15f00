package dev.lattice.examples.checkout;

import static dev.lattice.examples.checkout.Checks.check;
import static dev.lattice.examples.checkout.Checks.log;

import dev.lattice.examples.checkout.Checks.CheckFailed;
import dev.lattice.examples.client.IdempotencyKey;
import dev.lattice.examples.client.LatticeChannels;
import dev.lattice.examples.client.LatticeError;
import dev.lattice.examples.client.Session;
import dev.lattice.inventory.v1.AdjustStockRequest;
import dev.lattice.inventory.v1.AdjustStockResponse;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateProductResponse;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.orders.v1.ListOrdersResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The checkout every Lattice client runs against a mesh (clients/README.md): staff creates a
 * product and stock, a customer orders it with idempotency keys, waits until it is paid, lists
 * orders page by page, meets the typed errors, and calls through a proxy that fails the first two
 * attempts. Progress goes to stderr; the last stdout line is the JSON summary. Exits 1 when a step
 * does not behave as the contracts say. Steps 1 to 5 are here, the errors of step 6 in {@link
 * TypedErrors}, the calls of step 7 in {@link RetriesThroughProxy}, the checks and logging in
 * {@link Checks}. Runs once, on one thread.
 */
public final class Checkout {

  private static final String LANGUAGE = "java";
  private static final Duration PAYMENT_WAIT = Duration.ofSeconds(90);

  private final Map<String, String> env;

  private Checkout(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    int exit;
    try {
      Map<String, Object> summary = new Checkout(System.getenv()).run();
      System.out.println(Json.write(summary));
      exit = 0;
    } catch (CheckFailed e) {
      System.err.println("checkout FAILED: " + e.getMessage());
      exit = 1;
    } catch (StatusRuntimeException e) {
      LatticeError error = LatticeError.of(e);
      System.err.printf(
          "checkout FAILED: a call failed with %s %s: %s%n",
          error.code(), error.reason(), error.message());
      e.printStackTrace();
      exit = 1;
    } catch (RuntimeException | InterruptedException e) {
      System.err.println("checkout FAILED with an unexpected error:");
      e.printStackTrace();
      exit = 1;
    }
    System.exit(exit);
  }

  private Map<String, Object> run() throws InterruptedException {
    String tenant = env("LATTICE_TENANT");
    String run = env("LATTICE_RUN");
    ManagedChannel identityChannel = LatticeChannels.plaintext(env("LATTICE_IDENTITY_TARGET"));
    ManagedChannel inventoryChannel = LatticeChannels.plaintext(env("LATTICE_INVENTORY_TARGET"));
    ManagedChannel ordersChannel = LatticeChannels.plaintext(env("LATTICE_ORDERS_TARGET"));
    ManagedChannel faultyChannel = LatticeChannels.plaintext(env("LATTICE_ORDERS_FAULTY_TARGET"));
    try {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("language", LANGUAGE);

      // 1. Staff creates a product with 5 units and adds 5 more.
      log("1. staff %s logs in to tenant %s", env("LATTICE_STAFF_EMAIL"), tenant);
      Session staff =
          Session.login(
              identityChannel, tenant, env("LATTICE_STAFF_EMAIL"), env("LATTICE_STAFF_PASSWORD"));
      var inventory = staff.attach(InventoryServiceGrpc.newBlockingStub(inventoryChannel));
      String sku = LANGUAGE.toUpperCase(Locale.ROOT) + "-" + run;
      CreateProductResponse created =
          inventory.createProduct(
              CreateProductRequest.newBuilder()
                  .setSku(sku)
                  .setName("Java client checkout " + run)
                  .setPriceAmountMinor(1999)
                  .setCurrency("EUR")
                  .setInitialStock(5)
                  .build());
      String productId = created.getProduct().getId();
      check(
          created.getProduct().getSku().equals(sku),
          "CreateProduct returned sku %s",
          created.getProduct().getSku());
      check(
          created.getStock().getAvailable() == 5,
          "a new product has %d units, not 5",
          created.getStock().getAvailable());
      log("   created product %s (%s), 5 units", productId, sku);
      AdjustStockResponse adjusted =
          inventory.adjustStock(
              AdjustStockRequest.newBuilder()
                  .setProductId(productId)
                  .setVersion(created.getStock().getVersion())
                  .setDelta(5)
                  .setReason("Java client checkout " + run)
                  .build());
      long stockAfterAdjust = adjusted.getStock().getAvailable();
      check(stockAfterAdjust == 10, "AdjustStock(+5) left %d units, not 10", stockAfterAdjust);
      log("   AdjustStock(+5): %d units available", stockAfterAdjust);
      summary.put("productId", productId);
      summary.put("sku", sku);
      summary.put("stockAfterAdjust", stockAfterAdjust);

      // 2. The customer logs in and refreshes once.
      log("2. customer %s logs in and refreshes", env("LATTICE_CUSTOMER_EMAIL"));
      Session customer =
          Session.login(
              identityChannel,
              tenant,
              env("LATTICE_CUSTOMER_EMAIL"),
              env("LATTICE_CUSTOMER_PASSWORD"));
      String loginToken = customer.accessToken();
      customer.refresh();
      boolean refreshed = !customer.accessToken().equals(loginToken);
      check(refreshed, "RefreshToken returned the same access token");
      log("   new access token, valid until %s", customer.expireTime());
      summary.put("refreshed", refreshed);

      // 3. CreateOrder with a key, again with the same key, and a second order with a new key.
      OrdersServiceBlockingStub orders =
          customer.attach(OrdersServiceGrpc.newBlockingStub(ordersChannel));
      CreateOrderRequest oneUnit = orderOf(productId, 1, "tok_visa");
      IdempotencyKey firstKey = IdempotencyKey.random();
      log("3. CreateOrder with key %s", firstKey);
      Order first = firstKey.attach(orders).createOrder(oneUnit).getOrder();
      check(
          first.getStatus() == OrderStatus.ORDER_STATUS_CREATED,
          "a new order is %s",
          first.getStatus());
      check(
          first.getTotalAmountMinor() == 1999,
          "the order's total is %d, not 1999",
          first.getTotalAmountMinor());
      Order replay = firstKey.attach(orders).createOrder(oneUnit).getOrder();
      check(
          replay.getId().equals(first.getId()),
          "the same key gave order %s, then %s",
          first.getId(),
          replay.getId());
      Order second = IdempotencyKey.random().attach(orders).createOrder(oneUnit).getOrder();
      check(
          !second.getId().equals(first.getId()), "a new key gave the same order %s", first.getId());
      log("   order %s, replayed %s, second %s", first.getId(), replay.getId(), second.getId());
      summary.put("orderId", first.getId());
      summary.put("replayOrderId", replay.getId());
      summary.put("secondOrderId", second.getId());

      // 4. Wait until the first order is paid.
      log("4. waiting up to %d s for order %s to be paid", PAYMENT_WAIT.toSeconds(), first.getId());
      Order paid = awaitPaid(orders, first.getId());
      summary.put("finalStatus", paid.getStatus().name());

      // 5. ListOrders one order per page until the last page.
      log("5. ListOrders, page_size 1");
      List<String> listed = new ArrayList<>();
      int pages = 0;
      String pageToken = "";
      do {
        ListOrdersResponse page =
            orders.listOrders(
                ListOrdersRequest.newBuilder().setPageSize(1).setPageToken(pageToken).build());
        pages++;
        check(page.getOrdersCount() <= 1, "a page of size 1 held %d orders", page.getOrdersCount());
        page.getOrdersList().forEach(order -> listed.add(order.getId()));
        pageToken = page.getNextPageToken();
        check(pages <= 10_000, "ListOrders did not end after %d pages", pages);
      } while (!pageToken.isEmpty());
      check(
          new HashSet<>(listed).size() == listed.size(),
          "ListOrders repeated an order: %s",
          listed);
      check(
          listed.contains(first.getId()) && listed.contains(second.getId()),
          "ListOrders misses an order of this run: %s",
          listed);
      log("   %d orders on %d pages", listed.size(), pages);
      summary.put("listedOrderIds", listed);
      summary.put("pages", pages);

      // 6. Errors, decoded from the status details.
      summary.putAll(
          TypedErrors.meet(orders, ordersChannel, customer, productId, firstKey, first.getId()));

      // 7. Through the proxy that refuses the first two attempts of every call.
      OrdersServiceBlockingStub faultyOrders =
          customer.attach(OrdersServiceGrpc.newBlockingStub(faultyChannel));
      summary.putAll(
          RetriesThroughProxy.callThrough(orders, faultyOrders, first.getId(), second.getId()));
      return summary;
    } finally {
      for (ManagedChannel channel :
          List.of(identityChannel, inventoryChannel, ordersChannel, faultyChannel)) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel :
          List.of(identityChannel, inventoryChannel, ordersChannel, faultyChannel)) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A one-line order of {@code quantity} units of the product, in EUR. */
  static CreateOrderRequest orderOf(String productId, int quantity, String paymentMethodToken) {
    return CreateOrderRequest.newBuilder()
        .addLines(
            CreateOrderRequest.Line.newBuilder().setProductId(productId).setQuantity(quantity))
        .setCurrency("EUR")
        .setPaymentMethodToken(paymentMethodToken)
        .build();
  }

  private static Order awaitPaid(OrdersServiceBlockingStub orders, String orderId)
      throws InterruptedException {
    long deadline = System.nanoTime() + PAYMENT_WAIT.toNanos();
    while (true) {
      Order order =
          orders.getOrder(GetOrderRequest.newBuilder().setOrderId(orderId).build()).getOrder();
      switch (order.getStatus()) {
        case ORDER_STATUS_PAID -> {
          log("   order %s is %s", orderId, order.getStatus());
          return order;
        }
        case ORDER_STATUS_CREATED -> {}
        default ->
            throw new CheckFailed(
                "order "
                    + orderId
                    + " became "
                    + order.getStatus()
                    + " ("
                    + order.getCancellationReason()
                    + "), not ORDER_STATUS_PAID");
      }
      check(
          System.nanoTime() < deadline,
          "order %s is still %s after %d s",
          orderId,
          order.getStatus(),
          PAYMENT_WAIT.toSeconds());
      Thread.sleep(250);
    }
  }

  private String env(String name) {
    String value = env.get(name);
    if (value == null || value.isEmpty()) {
      throw new CheckFailed("environment variable " + name + " is not set");
    }
    return value;
  }
}
