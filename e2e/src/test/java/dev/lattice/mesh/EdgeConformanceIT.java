package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lattice.mesh.JsonApi.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JSON conformance suite of the edge: what a browser does, over real HTTP, through whatever
 * edge {@link EdgeTarget} names — the local edge of a real {@code ./mesh up} by default, Envoy in
 * front of docker-compose.yml with {@code -Dlattice.edge.url=…}, unchanged. The journey runs in
 * order (register, verify, sign in, refresh, stock, order with a key and its replay, PAID, pages,
 * cancel, refund, audit); then every error a browser can meet, each answered with a JSON {@code
 * google.rpc.Status} that shows nothing internal ({@link JsonApi} checks every error body). The
 * statuses observed are printed and written to {@code target/edge-conformance-status.md}.
 */
@ExtendWith(EdgeTargets.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeConformanceIT {

  private static final String PASSWORD = "a long conformance passphrase 7";

  private static EdgeTarget target;
  private static JsonApi api;
  private static EdgeAccounts accounts;
  private static final String run = Long.toString(System.nanoTime(), 36);
  private static final String customerEmail = "browser-" + run + "@conformance.test";
  private static final String staffEmail = "staff-" + run + "@conformance.test";

  private static String customerToken;
  private static String customerId;
  private static String customerTenant;
  private static String staffToken;
  private static String adminToken;
  private static String productId;
  private static String firstKey;
  private static JsonObject firstOrderBody;
  private static final List<String> orderIds = new ArrayList<>();

  @BeforeAll
  static void connect(EdgeTarget edge) {
    target = edge;
    api = new JsonApi(edge.baseUrl());
    accounts = new EdgeAccounts(api, edge.mail());
  }

  @AfterAll
  static void printObservedStatuses() throws Exception {
    if (api == null) {
      return;
    }
    StringBuilder table = new StringBuilder("| call | HTTP status |\n|---|---|\n");
    api.observed().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                table
                    .append("| ")
                    .append(e.getKey())
                    .append(" | ")
                    .append(e.getValue())
                    .append(" |\n"));
    System.out.println("Edge conformance against " + api.baseUrl() + ":\n" + table);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/edge-conformance-status.md"), table.toString());
  }

  // --- the journey -------------------------------------------------------------------------

  @Test
  @Order(1)
  void register_readTheMail_verify_thenSignIn_andRefresh() {
    JsonObject customer = registerAndVerify(customerEmail, "Browser customer");
    customerId = customer.get("id").getAsString();
    customerTenant = customer.get("tenantId").getAsString();
    assertThat(customer.get("status").getAsString()).isEqualTo("USER_STATUS_ACTIVE");

    JsonObject login = accounts.login(customerEmail, PASSWORD);
    assertThat(login.get("tokenType").getAsString()).isEqualToIgnoringCase("Bearer");
    String refresh = login.get("refreshToken").getAsString();

    JsonObject refreshed =
        api.post("/v1/auth:refresh")
            .as("POST /v1/auth:refresh")
            .json(object("refreshToken", refresh))
            .expect(200)
            .body();
    customerToken = refreshed.get("accessToken").getAsString();
    assertThat(refreshed.get("refreshToken").getAsString()).isNotEqualTo(refresh);
    JsonObject me = api.get("/v1/me").bearer(customerToken).expect(200).body();
    assertThat(me.getAsJsonObject("user").get("email").getAsString()).isEqualTo(customerEmail);
  }

  @Test
  @Order(2)
  void staff_isMadeByTheAdmin_andCreatesAProductAndStock() {
    JsonObject staff = registerAndVerify(staffEmail, "Staff member");
    adminToken =
        accounts
            .login(target.adminEmail(), target.adminPassword())
            .get("accessToken")
            .getAsString();
    JsonObject assign = new JsonObject();
    assign.addProperty("role", "staff");
    assign.addProperty("version", staff.get("version").getAsLong());
    api.post("/v1/users/" + staff.get("id").getAsString() + ":assignRole")
        .as("POST /v1/users/{id}:assignRole")
        .bearer(adminToken)
        .json(assign)
        .expect(200);
    staffToken = accounts.login(staffEmail, PASSWORD).get("accessToken").getAsString();

    JsonObject product = new JsonObject();
    product.addProperty("sku", "EDGE-" + run);
    product.addProperty("name", "Edge conformance headphones");
    product.addProperty("priceAmountMinor", "2599");
    product.addProperty("currency", "EUR");
    product.addProperty("initialStock", "5");
    JsonObject created =
        api.post("/v1/products").bearer(staffToken).json(product).expect(200).body();
    productId = created.getAsJsonObject("product").get("id").getAsString();
    long stockVersion = created.getAsJsonObject("stock").get("version").getAsLong();

    JsonObject adjust = new JsonObject();
    adjust.addProperty("version", stockVersion);
    adjust.addProperty("delta", "10");
    adjust.addProperty("reason", "delivery from the supplier");
    JsonObject stock =
        api.post("/v1/products/" + productId + "/stock:adjust")
            .as("POST /v1/products/{id}/stock:adjust")
            .bearer(staffToken)
            .json(adjust)
            .expect(200)
            .body()
            .getAsJsonObject("stock");
    assertThat(stock.get("available").getAsLong()).isEqualTo(15);

    JsonObject listed =
        api.get("/v1/products?sku_prefix=EDGE-" + run)
            .as("GET /v1/products")
            .bearer(customerToken)
            .expect(200)
            .body();
    assertThat(listed.getAsJsonArray("products")).hasSize(1);
  }

  @Test
  @Order(3)
  void createOrder_withAnIdempotencyKey_isReplayedForTheSameBody_andReachesPaid() {
    firstKey = "order-" + UUID.randomUUID();
    firstOrderBody = orderBody(1);
    Reply first =
        api.post("/v1/orders")
            .bearer(customerToken)
            .header("Idempotency-Key", firstKey)
            .json(firstOrderBody)
            .expect(200);
    JsonObject order = first.body().getAsJsonObject("order");
    assertThat(order.get("status").getAsString()).isEqualTo("ORDER_STATUS_CREATED");
    assertThat(first.header("idempotency-replayed")).isEmpty();

    Reply replay =
        api.post("/v1/orders")
            .as("POST /v1/orders (replay)")
            .bearer(customerToken)
            .header("Idempotency-Key", firstKey)
            .json(firstOrderBody)
            .expect(200);
    assertThat(replay.body().getAsJsonObject("order").get("id").getAsString())
        .isEqualTo(order.get("id").getAsString());
    assertThat(replay.header("idempotency-replayed")).contains("true");

    orderIds.add(order.get("id").getAsString());
    assertThat(
            awaitStatus(orderIds.get(0), "ORDER_STATUS_PAID").get("totalAmountMinor").getAsString())
        .isEqualTo("2599");
  }

  @Test
  @Order(4)
  void listOrders_walksThePagesWithTheirTokens() {
    for (int i = 0; i < 2; i++) {
      JsonObject order =
          api.post("/v1/orders")
              .bearer(customerToken)
              .header("Idempotency-Key", "order-" + UUID.randomUUID())
              .json(orderBody(1))
              .expect(200)
              .body()
              .getAsJsonObject("order");
      orderIds.add(order.get("id").getAsString());
    }
    orderIds.forEach(id -> awaitStatus(id, "ORDER_STATUS_PAID"));

    Set<String> seen = new HashSet<>();
    JsonObject page =
        api.get("/v1/orders?page_size=2")
            .as("GET /v1/orders")
            .bearer(customerToken)
            .expect(200)
            .body();
    assertThat(page.getAsJsonArray("orders")).hasSize(2);
    page.getAsJsonArray("orders")
        .forEach(o -> seen.add(o.getAsJsonObject().get("id").getAsString()));
    String next = page.get("nextPageToken").getAsString();
    assertThat(next).isNotEmpty();
    JsonObject second =
        api.get(
                "/v1/orders?page_size=2&page_token="
                    + URLEncoder.encode(next, StandardCharsets.UTF_8))
            .as("GET /v1/orders")
            .bearer(customerToken)
            .expect(200)
            .body();
    assertThat(second.getAsJsonArray("orders")).hasSize(1);
    second
        .getAsJsonArray("orders")
        .forEach(
            o ->
                assertThat(seen.add(o.getAsJsonObject().get("id").getAsString()))
                    .as("no order on two pages")
                    .isTrue());
    assertThat(seen).containsExactlyInAnyOrderElementsOf(orderIds);
    assertThat(second.has("nextPageToken") && !second.get("nextPageToken").getAsString().isEmpty())
        .isFalse();
  }

  @Test
  @Order(5)
  void cancelAfterPayment_andStaffRefund_bothEndRefunded() {
    JsonObject paid = order(orderIds.get(1));
    JsonObject cancelled =
        api.post("/v1/orders/" + orderIds.get(1) + ":cancel")
            .as("POST /v1/orders/{id}:cancel")
            .bearer(customerToken)
            .json(object("version", paid.get("version").getAsLong()))
            .expect(200)
            .body()
            .getAsJsonObject("order");
    assertThat(cancelled.get("status").getAsString()).isEqualTo("ORDER_STATUS_REFUNDED");

    JsonObject toRefund = order(orderIds.get(2));
    JsonObject refund = new JsonObject();
    refund.addProperty("version", toRefund.get("version").getAsLong());
    refund.addProperty("reason", "arrived damaged");
    JsonObject refunded =
        api.post("/v1/orders/" + orderIds.get(2) + ":refund")
            .as("POST /v1/orders/{id}:refund")
            .bearer(staffToken)
            .header("Idempotency-Key", "refund-" + UUID.randomUUID())
            .json(refund)
            .expect(200)
            .body()
            .getAsJsonObject("order");
    assertThat(refunded.get("status").getAsString()).isEqualTo("ORDER_STATUS_REFUNDED");
  }

  @Test
  @Order(6)
  void auditLog_showsTheOrdersHistory() {
    String order = orderIds.get(0);
    AtomicReference<JsonArray> records = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              records.set(
                  api.get("/v1/audit-records?entity_type=order&entity_id=" + order)
                      .as("GET /v1/audit-records")
                      .bearer(adminToken)
                      .expect(200)
                      .body()
                      .getAsJsonArray("records"));
              List<String> actions = actions(records.get());
              return actions.contains("order_created") && actions.contains("order_paid");
            });
    JsonObject created =
        records.get().asList().stream()
            .map(JsonElement::getAsJsonObject)
            .filter(r -> r.get("action").getAsString().equals("order_created"))
            .findFirst()
            .orElseThrow();
    assertThat(created.getAsJsonObject("actor").get("subjectId").getAsString())
        .isEqualTo(customerId);
    assertThat(created.getAsJsonObject("payload").get("@type").getAsString())
        .endsWith("OrderCreated");
  }

  // --- what a browser gets wrong -----------------------------------------------------------

  @Test
  @Order(10)
  void invalidRequest_is400_withFieldViolations_andWritesNothing() {
    int before = ordersOfCustomer();
    JsonObject bad = new JsonObject();
    bad.addProperty("currency", "eur");
    bad.addProperty("paymentMethodToken", "tok_visa");
    bad.add("lines", new JsonArray());
    Reply reply =
        api.post("/v1/orders")
            .as("POST /v1/orders (invalid)")
            .bearer(customerToken)
            .header("Idempotency-Key", "bad-" + UUID.randomUUID())
            .json(bad)
            .expect(400);
    assertThat(reply.body().get("code").getAsInt()).isEqualTo(3);
    assertThat(reply.violatedFields()).contains("currency", "lines");
    assertThat(ordersOfCustomer()).isEqualTo(before);
  }

  @Test
  @Order(11)
  void missingForgedAndExpiredTokens_are401() {
    assertThat(
            api.get("/v1/orders")
                .as("GET /v1/orders (no token)")
                .expect(401)
                .body()
                .get("code")
                .getAsInt())
        .isEqualTo(16);
    String[] parts = customerToken.split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[signature.length / 2] ^= 0x5a;
    String forged =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    api.get("/v1/orders").as("GET /v1/orders (forged token)").bearer(forged).expect(401);
    String expired =
        target
            .expiredTokens()
            .mint(
                customerId,
                customerTenant,
                List.of("orders.read", "orders.write", "inventory.read"),
                Duration.ofMinutes(5));
    api.get("/v1/orders").as("GET /v1/orders (expired token)").bearer(expired).expect(401);
    // The same call with a valid token of the same customer passes: the token was the only fault.
    api.get("/v1/orders").bearer(customerToken).expect(200);
  }

  @Test
  @Order(12)
  void aPermissionTheCallerLacks_is403() {
    Reply reply =
        api.get("/v1/payments").as("GET /v1/payments (customer)").bearer(customerToken).expect(403);
    assertThat(reply.reason()).isEqualTo("PERMISSION_DENIED");
    assertThat(reply.errorInfo().getAsJsonObject("metadata").get("permission").getAsString())
        .isEqualTo("payments.read");
  }

  @Test
  @Order(13)
  void unknownOrder_andUnknownPath_are404() {
    api.get("/v1/orders/" + UUID.randomUUID())
        .as("GET /v1/orders/{id} (unknown)")
        .bearer(customerToken)
        .expect(404);
    api.get("/v1/no-such-resource")
        .as("GET /v1/no-such-resource")
        .bearer(customerToken)
        .expect(404);
  }

  @Test
  @Order(14)
  void aKeyReusedWithAnotherBody_is409_andChangesNothing() {
    int before = ordersOfCustomer();
    Reply reply =
        api.post("/v1/orders")
            .as("POST /v1/orders (key reused)")
            .bearer(customerToken)
            .header("Idempotency-Key", firstKey)
            .json(orderBody(2))
            .expect(409);
    assertThat(reply.reason()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(ordersOfCustomer()).isEqualTo(before);
  }

  @Test
  @Order(15)
  void tooManySignInFailures_are429_withRetryAfter() {
    String email = "nobody-" + run + "@conformance.test";
    Reply last = null;
    for (int attempt = 1; attempt <= 11; attempt++) {
      last =
          api.post("/v1/auth:login")
              .as("POST /v1/auth:login (wrong password)")
              .json(EdgeAccounts.credentials(email, "not the password " + attempt))
              .send();
      if (attempt <= 10) {
        assertThat(last.status()).as("attempt %d: %s", attempt, last.raw().body()).isEqualTo(401);
      }
    }
    assertThat(last.status()).as(last.raw().body()).isEqualTo(429);
    assertThat(last.reason()).isEqualTo("RATE_LIMITED");
    assertThat(Long.parseLong(last.header("retry-after").orElseThrow())).isPositive();
  }

  @Test
  @Order(16)
  void anOversizedBody_is413() {
    JsonObject huge = orderBody(1);
    huge.addProperty("paymentMethodToken", "x".repeat(2 * 1024 * 1024));
    api.post("/v1/orders")
        .as("POST /v1/orders (2 MiB body)")
        .bearer(customerToken)
        .header("Idempotency-Key", "huge-" + UUID.randomUUID())
        .json(huge)
        .expect(413);
  }

  @Test
  @Order(17)
  void anUnknownQueryParameter_is400() {
    Reply reply =
        api.get("/v1/orders?page_size=2&colour=blue")
            .as("GET /v1/orders?colour=blue")
            .bearer(customerToken)
            .expect(400);
    assertThat(reply.raw().body()).contains("colour");
  }

  @Test
  @Order(18)
  void malformedJson_is400_asJson() {
    api.post("/v1/auth:login")
        .as("POST /v1/auth:login (malformed JSON)")
        .body("{\"tenantSlug\": \"platform\", ")
        .expect(400);
  }

  @Test
  @Order(19)
  void theRequestIdIsPassedOn_andCorsPreflightsAnswerForABrowserOrigin() {
    String requestId = "conformance-" + UUID.randomUUID();
    Reply jwks = api.get("/.well-known/jwks.json").header("X-Request-Id", requestId).expect(200);
    assertThat(jwks.header("x-request-id")).contains(requestId);
    assertThat(jwks.body().getAsJsonArray("keys")).isNotEmpty();
    assertThat(api.get("/v1/jwks").expect(200).header("x-request-id")).isPresent();

    Reply preflight =
        api.options("/v1/orders")
            .as("OPTIONS /v1/orders (CORS preflight)")
            .header("Origin", "http://127.0.0.1:5173")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
            .send();
    assertThat(preflight.status()).isBetween(200, 204);
    assertThat(preflight.header("access-control-allow-origin")).contains("http://127.0.0.1:5173");
    assertThat(preflight.header("access-control-allow-headers").orElse("").toLowerCase())
        .contains("authorization")
        .contains("idempotency-key");
  }

  // --- helpers -----------------------------------------------------------------------------

  private static JsonObject registerAndVerify(String email, String name) {
    return accounts.registerAndVerify(email, PASSWORD, name);
  }

  private static JsonObject orderBody(int quantity) {
    JsonObject line = new JsonObject();
    line.addProperty("productId", productId);
    line.addProperty("quantity", quantity);
    JsonArray lines = new JsonArray();
    lines.add(line);
    JsonObject body = new JsonObject();
    body.addProperty("currency", "EUR");
    body.addProperty("paymentMethodToken", "tok_visa");
    body.add("lines", lines);
    return body;
  }

  private static JsonObject order(String id) {
    return api.get("/v1/orders/" + id)
        .as("GET /v1/orders/{id}")
        .bearer(customerToken)
        .expect(200)
        .body()
        .getAsJsonObject("order");
  }

  private static JsonObject awaitStatus(String id, String status) {
    AtomicReference<JsonObject> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO) // the first look at once, not a poll interval later
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last.set(order(id));
              return last.get().get("status").getAsString().equals(status);
            });
    return last.get();
  }

  private static int ordersOfCustomer() {
    int count = 0;
    String token = "";
    do {
      JsonObject page =
          api.get(
                  "/v1/orders?page_size=100"
                      + (token.isEmpty()
                          ? ""
                          : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
              .as("GET /v1/orders")
              .bearer(customerToken)
              .expect(200)
              .body();
      count += page.has("orders") ? page.getAsJsonArray("orders").size() : 0;
      token = page.has("nextPageToken") ? page.get("nextPageToken").getAsString() : "";
    } while (!token.isEmpty());
    return count;
  }

  private static List<String> actions(JsonArray records) {
    List<String> actions = new ArrayList<>();
    if (records != null) {
      records.forEach(r -> actions.add(r.getAsJsonObject().get("action").getAsString()));
    }
    return actions;
  }

  private static JsonObject object(String name, String value) {
    JsonObject o = new JsonObject();
    o.addProperty(name, value);
    return o;
  }

  private static JsonObject object(String name, long value) {
    JsonObject o = new JsonObject();
    o.addProperty(name, value);
    return o;
  }
}
