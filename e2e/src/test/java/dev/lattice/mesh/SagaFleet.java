package dev.lattice.mesh;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.local.FreePorts;
import dev.lattice.local.PostgresServer;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.payments.v1.ListPaymentsRequest;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import dev.lattice.platform.auth.AuthInterceptor;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.sandbox.CardProcessorSandbox;
import dev.lattice.sandbox.SandboxConfig;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The six services of {@link AuthFleet} plus the sandbox card processor over HTTP, wired as {@code
 * ./mesh up} wires them (orders → inventory over gRPC, payments → sandbox over HTTP, sandbox →
 * payments' webhook endpoint), with a staff member and a customer of the platform tenant.
 */
final class SagaFleet implements AutoCloseable {

  static final String CURRENCY = "EUR";
  static final String API_KEY = "sk_test_saga";
  static final String WEBHOOK_SECRET = "whsec_saga_" + UUID.randomUUID();
  private static final AtomicInteger SKUS = new AtomicInteger();

  final CardProcessorSandbox sandbox;
  final AuthFleet fleet;
  final String staffToken;
  final String customerToken;
  final String customerId;
  private final HttpClient http = HttpClient.newHttpClient();

  private SagaFleet(
      CardProcessorSandbox sandbox,
      AuthFleet fleet,
      String staffToken,
      String customerToken,
      String customerId) {
    this.sandbox = sandbox;
    this.fleet = fleet;
    this.staffToken = staffToken;
    this.customerToken = customerToken;
    this.customerId = customerId;
  }

  /** Starts everything; {@code overrides} go to every service (e.g. a short reservation TTL). */
  static SagaFleet start(
      PostgresExtension postgres, NatsExtension nats, Map<String, String> overrides)
      throws Exception {
    return start(postgres, nats, overrides, Set.of());
  }

  /** As above; the services in {@code external} are prepared but left for the test to start. */
  static SagaFleet start(
      PostgresExtension postgres,
      NatsExtension nats,
      Map<String, String> overrides,
      Set<String> external)
      throws Exception {
    return start(postgres.server(), nats.url(), overrides, external);
  }

  /** On a PostgreSQL and a nats-server started by the caller (benchmarks). */
  static SagaFleet start(
      PostgresServer postgres, String natsUrl, Map<String, String> overrides, Set<String> external)
      throws Exception {
    int webhookPort = FreePorts.next();
    CardProcessorSandbox sandbox =
        CardProcessorSandbox.start(
            SandboxConfig.fromEnv(
                Env.of(
                    Map.of(
                        "LATTICE_SANDBOX_HTTP_PORT",
                        "0",
                        "LATTICE_SANDBOX_API_KEY",
                        API_KEY,
                        "LATTICE_SANDBOX_WEBHOOK_URL",
                        "http://127.0.0.1:" + webhookPort + "/v1/payments/webhook",
                        "LATTICE_SANDBOX_WEBHOOK_SECRET",
                        WEBHOOK_SECRET))));
    Map<String, String> env = new HashMap<>(paymentsEnv(sandbox, webhookPort));
    env.putAll(overrides);
    AuthFleet fleet;
    try {
      fleet = new AuthFleet(postgres, natsUrl, env, external);
    } catch (Exception | Error e) {
      sandbox.close();
      throw e;
    }
    String run = Long.toString(System.nanoTime(), 36);
    fleet.user("staff-" + run + "@saga.test", "staff");
    var customer = fleet.user("customer-" + run + "@saga.test", "customer");
    String staff = fleet.login("staff-" + run + "@saga.test", AuthFleet.PASSWORD).getAccessToken();
    String customerToken =
        fleet.login("customer-" + run + "@saga.test", AuthFleet.PASSWORD).getAccessToken();
    return new SagaFleet(sandbox, fleet, staff, customerToken, customer.getId());
  }

  /** What payments needs to reach the sandbox and to take its webhooks. */
  static Map<String, String> paymentsEnv(CardProcessorSandbox sandbox, int webhookPort) {
    return Map.of(
        "LATTICE_PAYMENTS_PROVIDER_URL",
        sandbox.baseUrl(),
        "LATTICE_PAYMENTS_PROVIDER_API_KEY",
        API_KEY,
        "LATTICE_PAYMENTS_WEBHOOK_SECRET",
        WEBHOOK_SECRET,
        "LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT",
        Integer.toString(webhookPort));
  }

  OrdersServiceGrpc.OrdersServiceBlockingStub orders(String token) {
    return OrdersServiceGrpc.newBlockingStub(fleet.channel("orders"))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(token));
  }

  OrdersServiceGrpc.OrdersServiceBlockingStub orders(String token, String idempotencyKey) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.IDEMPOTENCY_KEY, idempotencyKey);
    return orders(token).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  InventoryServiceGrpc.InventoryServiceBlockingStub inventory(String token) {
    return InventoryServiceGrpc.newBlockingStub(fleet.channel("inventory"))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(token));
  }

  PaymentsServiceGrpc.PaymentsServiceBlockingStub payments(String token) {
    return PaymentsServiceGrpc.newBlockingStub(fleet.channel("payments"))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(token));
  }

  /** A product priced {@code priceMinor} with {@code stock} units on hand. */
  Product product(String token, long priceMinor, long stock) {
    return inventory(token)
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku(
                    "SAGA-" + SKUS.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36))
                .setName("Saga product")
                .setPriceAmountMinor(priceMinor)
                .setCurrency(CURRENCY)
                .setInitialStock(stock)
                .build())
        .getProduct();
  }

  Product product(long priceMinor, long stock) {
    return product(staffToken, priceMinor, stock);
  }

  Stock stock(String productId) {
    return inventory(staffToken)
        .getStock(GetStockRequest.newBuilder().setProductId(productId).build())
        .getStock();
  }

  static CreateOrderRequest orderOf(String card, Product product, int quantity) {
    return CreateOrderRequest.newBuilder()
        .setCurrency(CURRENCY)
        .setPaymentMethodToken(card)
        .addLines(
            CreateOrderRequest.Line.newBuilder()
                .setProductId(product.getId())
                .setQuantity(quantity))
        .build();
  }

  /**
   * The customer orders {@code quantity} of {@code product}, paying with test card {@code card}.
   */
  Order order(String card, Product product, int quantity) {
    return orders(customerToken, UUID.randomUUID().toString())
        .createOrder(orderOf(card, product, quantity))
        .getOrder();
  }

  Order get(String orderId) {
    return orders(staffToken)
        .getOrder(GetOrderRequest.newBuilder().setOrderId(orderId).build())
        .getOrder();
  }

  /** Waits until the order is in {@code status}; fails at once if it settles elsewhere. */
  Order awaitStatus(String orderId, OrderStatus status) {
    // Looks at once: Awaitility's first look waits one poll interval by default, 50 ms for every
    // order already there (10 s of SagaLoadIT's 200 storm orders).
    await()
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(orderId).getStatus() == status);
    return get(orderId);
  }

  /** The order's payment, once payments has one. */
  Payment payment(String orderId) {
    List<Payment> found =
        payments(staffToken)
            .listPayments(ListPaymentsRequest.newBuilder().setOrderId(orderId).build())
            .getPaymentsList();
    if (found.size() > 1) {
      throw new AssertionError("several payments for order " + orderId + ": " + found);
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /** Every payment of the tenant, through ListPayments' pages. */
  List<Payment> allPayments() {
    List<Payment> all = new java.util.ArrayList<>();
    String pageToken = "";
    do {
      var page =
          payments(staffToken)
              .listPayments(
                  ListPaymentsRequest.newBuilder()
                      .setPageSize(1000)
                      .setPageToken(pageToken)
                      .build());
      all.addAll(page.getPaymentsList());
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    return all;
  }

  /**
   * The charges the sandbox holds under idempotency key {@code orderId} (every charge when null),
   * as its API lists them.
   */
  List<Value> charges(String orderId) throws Exception {
    String query =
        orderId == null
            ? ""
            : "?idempotency_key=" + URLEncoder.encode(orderId, StandardCharsets.UTF_8);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/charges" + query))
                .header("Authorization", "Bearer " + API_KEY)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError(
          "sandbox list charges: " + response.statusCode() + " " + response.body());
    }
    Struct.Builder body = Struct.newBuilder();
    JsonFormat.parser().merge(response.body(), body);
    return body.getFieldsOrThrow("data").getListValue().getValuesList();
  }

  @Override
  public void close() throws Exception {
    try {
      fleet.close();
    } finally {
      sandbox.close();
    }
  }
}
