package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every language's client runs the checkout of {@code clients/README.md} against one running mesh
 * (the run's {@link SharedMesh}): {@code clients/<language>/checkout}, each a program of its own
 * language on the stubs generated from the contracts and its helper. Staff and customer accounts
 * are made here (the customer registers and verifies through the edge, as a browser would); the
 * program's JSON summary is then checked against the mesh itself, through the edge's JSON API: the
 * order exists, is PAID and is the customer's, the replay returned it, the listing saw it, the
 * errors were decoded, and the {@link FaultyProxy} in front of orders saw exactly three attempts of
 * the retried {@code GetOrder} and one of the never-retried {@code CancelOrder}.
 */
@ExtendWith(SharedMeshes.class)
class ClientCheckoutIT {

  private static final String PASSWORD = "a long client passphrase 9";
  private static final Duration PUSHBACK = Duration.ofMillis(200);
  private static final String GET_ORDER = "lattice.orders.v1.OrdersService/GetOrder";
  private static final String CANCEL_ORDER = "lattice.orders.v1.OrdersService/CancelOrder";

  private static SharedMesh mesh;
  private static JsonApi api;
  private static EdgeAccounts accounts;
  private static FaultyProxy faultyOrders;
  private static String adminToken;

  @BeforeAll
  static void startTheProxy(SharedMesh shared) throws IOException {
    mesh = shared;
    api = new JsonApi(mesh.edgeUrl());
    accounts = new EdgeAccounts(api, MailSource.folder(mesh.mailFolder()));
    faultyOrders = FaultyProxy.start(target(9102), 2, PUSHBACK);
    adminToken =
        accounts
            .login(mesh.secret("admin.email"), mesh.secret("admin.password"))
            .get("accessToken")
            .getAsString();
  }

  @AfterAll
  static void stopTheProxy() throws InterruptedException {
    if (faultyOrders != null) {
      faultyOrders.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "typescript", "go", "python"})
  void checkout(String language) throws Exception {
    String run = Long.toString(System.nanoTime(), 36);
    String customerEmail = language + "-" + run + "@clients.test";
    String customerId =
        accounts
            .registerAndVerify(customerEmail, PASSWORD, "Client " + language)
            .get("id")
            .getAsString();
    faultyOrders.resetCounts();

    Map<String, String> env =
        Map.ofEntries(
            Map.entry("LATTICE_IDENTITY_TARGET", target(9101)),
            Map.entry("LATTICE_ORDERS_TARGET", target(9102)),
            Map.entry("LATTICE_INVENTORY_TARGET", target(9103)),
            Map.entry("LATTICE_ORDERS_FAULTY_TARGET", faultyOrders.target()),
            Map.entry("LATTICE_TENANT", EdgeAccounts.TENANT),
            Map.entry("LATTICE_STAFF_EMAIL", mesh.secret("admin.email")),
            Map.entry("LATTICE_STAFF_PASSWORD", mesh.secret("admin.password")),
            Map.entry("LATTICE_CUSTOMER_EMAIL", customerEmail),
            Map.entry("LATTICE_CUSTOMER_PASSWORD", PASSWORD),
            Map.entry("LATTICE_RUN", run));
    List<String> output = RepoCommand.run(List.of("clients/" + language + "/checkout"), env, 600);
    assertThat(output).as("clients/%s/checkout printed no summary line", language).isNotEmpty();
    JsonObject summary = JsonParser.parseString(output.getLast()).getAsJsonObject();
    System.out.println(language + " checkout summary: " + summary);

    // 1. The product and its stock, as staff made them.
    String productId = summary.get("productId").getAsString();
    JsonObject product =
        api.get("/v1/products/" + productId)
            .bearer(adminToken)
            .expect(200)
            .body()
            .getAsJsonObject("product");
    assertThat(product.get("sku").getAsString()).isEqualTo(sku(language, run));
    assertThat(summary.get("stockAfterAdjust").getAsLong()).isEqualTo(10);

    // 2. The session was refreshed. 3. The replay gave the same order; two orders in all.
    assertThat(summary.get("refreshed").getAsBoolean()).isTrue();
    String orderId = summary.get("orderId").getAsString();
    String secondOrderId = summary.get("secondOrderId").getAsString();
    assertThat(summary.get("replayOrderId").getAsString()).isEqualTo(orderId);
    assertThat(secondOrderId).isNotEqualTo(orderId);

    // 4. PAID, as the mesh says, and the customer's.
    assertThat(summary.get("finalStatus").getAsString()).isEqualTo("ORDER_STATUS_PAID");
    JsonObject order =
        api.get("/v1/orders/" + orderId)
            .bearer(adminToken)
            .expect(200)
            .body()
            .getAsJsonObject("order");
    assertThat(order.get("status").getAsString()).isEqualTo("ORDER_STATUS_PAID");
    assertThat(order.get("customerId").getAsString()).isEqualTo(customerId);
    JsonObject second =
        api.get("/v1/orders/" + secondOrderId)
            .bearer(adminToken)
            .expect(200)
            .body()
            .getAsJsonObject("order");
    assertThat(second.get("customerId").getAsString()).isEqualTo(customerId);

    // 5. Page by page, exactly the customer's two orders.
    assertThat(strings(summary, "listedOrderIds"))
        .containsExactlyInAnyOrder(orderId, secondOrderId);
    assertThat(summary.get("pages").getAsInt()).isEqualTo(2);

    // 6. Errors decoded from their details.
    JsonObject invalid = summary.getAsJsonObject("invalid");
    assertThat(invalid.get("code").getAsString()).isEqualTo("INVALID_ARGUMENT");
    List<String> fields = new ArrayList<>();
    for (JsonElement v : invalid.getAsJsonArray("fieldViolations")) {
      fields.add(v.getAsJsonObject().get("field").getAsString());
      assertThat(v.getAsJsonObject().get("description").getAsString()).isNotBlank();
    }
    assertThat(fields).containsExactlyInAnyOrder("lines[0].quantity", "payment_method_token");
    JsonObject reused = summary.getAsJsonObject("reused");
    assertThat(reused.get("code").getAsString()).isEqualTo("ALREADY_EXISTS");
    assertThat(reused.get("reason").getAsString()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(reused.get("domain").getAsString()).isEqualTo("lattice.dev");
    JsonObject forged = summary.getAsJsonObject("forged");
    assertThat(forged.get("code").getAsString()).isEqualTo("UNAUTHENTICATED");
    assertThat(forged.get("reason").getAsString()).isEqualTo("TOKEN_INVALID");

    // 7. The idempotent read was retried by the channel, after the server's delay each time; the
    // cancellation was not retried, and never reached orders.
    JsonObject retried = summary.getAsJsonObject("retried");
    assertThat(retried.get("orderId").getAsString()).isEqualTo(orderId);
    assertThat(retried.get("status").getAsString()).isEqualTo("ORDER_STATUS_PAID");
    assertThat(retried.get("elapsedMs").getAsLong())
        .as("two pushbacks of %s", PUSHBACK)
        .isGreaterThanOrEqualTo(2 * PUSHBACK.toMillis());
    assertThat(faultyOrders.attempts(GET_ORDER))
        .as("GetOrder attempts through the proxy")
        .isEqualTo(3);
    JsonObject notRetried = summary.getAsJsonObject("notRetried");
    assertThat(notRetried.get("code").getAsString()).isEqualTo("UNAVAILABLE");
    assertThat(notRetried.get("reason").getAsString()).isEqualTo(FaultyProxy.REASON);
    assertThat(notRetried.get("retryDelayMs").getAsLong()).isEqualTo(PUSHBACK.toMillis());
    assertThat(faultyOrders.attempts(CANCEL_ORDER))
        .as("CancelOrder attempts through the proxy")
        .isEqualTo(1);
    assertThat(second.get("status").getAsString()).isNotEqualTo("ORDER_STATUS_CANCELLED");
  }

  static String sku(String language, String run) {
    return language.toUpperCase(Locale.ROOT) + "-" + run;
  }

  private static String target(int basePort) {
    return "127.0.0.1:" + mesh.process.port(basePort);
  }

  private static List<String> strings(JsonObject object, String member) {
    List<String> values = new ArrayList<>();
    object.getAsJsonArray(member).forEach(e -> values.add(e.getAsString()));
    return values;
  }
}
