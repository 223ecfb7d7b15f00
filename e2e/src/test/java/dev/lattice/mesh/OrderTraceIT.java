package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lattice.local.ZipkinServer;
import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One order's trace as a person sees it under {@code ./mesh up --traces}: the packaged launcher in
 * a JVM of its own with its own PostgreSQL, nats-server and Zipkin; an order placed through the
 * edge and paid with {@code tok_visa}. Zipkin's query API must then hold one trace that runs from
 * CreateOrder through every NATS hop — each event's publish span and its consumers' process spans,
 * each consumer the child of the publish it received — to the consumers of OrderPaid, every span
 * with its own start and duration. Ctrl-C then stops Zipkin with the rest of the mesh.
 */
class OrderTraceIT {

  private static final String CREATE_ORDER = "lattice.orders.v1.ordersservice/createorder";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aPaidOrder_isOneTrace_fromCreateOrderThroughEveryEventToOrderPaid() throws Exception {
    // Not createTempDirectory (0700): as root, PostgreSQL runs as the postgres user and must be
    // able to enter the folder, as it can a checkout.
    Path root =
        Files.createDirectories(
            Path.of("target", "order-trace-it-" + ProcessHandle.current().pid()).toAbsolutePath());
    try (MeshProcess mesh = MeshProcess.start(root, "--traces")) {
      assertThat(mesh.awaitUp(Duration.ofSeconds(180))).as(mesh.log()).isTrue();
      int zipkinPort = mesh.port(ZipkinServer.DEFAULT_PORT);
      // The table follows the "Lattice is up" line that awaitUp waits for.
      String ui = "http://localhost:" + zipkinPort + "/zipkin/";
      await().atMost(Duration.ofSeconds(10)).until(() -> mesh.log().contains(ui));

      JsonApi edge = new JsonApi("http://127.0.0.1:" + mesh.port(8080));
      String token = adminToken(edge, root);
      String orderId = placeOrder(edge, token);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> status(edge, token, orderId).equals("ORDER_STATUS_PAID"));

      // Services send spans in batches (every 5 s): wait until the whole saga has arrived.
      String base = "http://127.0.0.1:" + zipkinPort;
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertTheSagaIsOneTrace(base));

      mesh.interrupt();
      assertThat(mesh.waitForExit(Duration.ofSeconds(90))).as(mesh.log()).isTrue();
      assertThat(mesh.process.exitValue()).as(mesh.log()).isZero();
      assertThat(portOpen(zipkinPort)).as("Zipkin stopped with the mesh").isFalse();
      assertThat(root.resolve(".lattice/logs/zipkin.log")).isNotEmptyFile();
    }
  }

  private void assertTheSagaIsOneTrace(String zipkin) throws Exception {
    List<String> createOrderTraces = traceIds(zipkin, "lattice-orders", CREATE_ORDER);
    assertThat(createOrderTraces).as("traces with CreateOrder (one order placed)").hasSize(1);
    Trace trace = new Trace(get(zipkin + "/api/v2/trace/" + createOrderTraces.get(0)));

    JsonObject create = trace.one("lattice-orders", "SERVER", CREATE_ORDER, any());
    assertThat(create.has("parentId")).as("CreateOrder starts the trace").isFalse();
    JsonObject orderCreated = trace.hop(create, "lattice-orders", "lattice.orders.order_created");
    JsonObject reserve =
        trace.consumedBy(orderCreated, "lattice-inventory", "lattice.orders.order_created");
    trace.consumedBy(orderCreated, "lattice-payments", "lattice.orders.order_created");
    JsonObject stockReserved =
        trace.hop(reserve, "lattice-inventory", "lattice.inventory.stock_reserved");
    JsonObject pay =
        trace.consumedBy(stockReserved, "lattice-payments", "lattice.inventory.stock_reserved");
    JsonObject charge = trace.one("lattice-payments", null, "charge", any());
    trace.assertDescends(charge, pay);
    JsonObject paymentCaptured =
        trace.hop(charge, "lattice-payments", "lattice.payments.payment_captured");
    JsonObject paid =
        trace.consumedBy(paymentCaptured, "lattice-orders", "lattice.payments.payment_captured");
    JsonObject orderPaid = trace.hop(paid, "lattice-orders", "lattice.orders.order_paid");
    trace.consumedBy(orderPaid, "lattice-inventory", "lattice.orders.order_paid");
    trace.consumedBy(orderPaid, "lattice-notifications", "lattice.orders.order_paid");
    // Audit records every event of the saga, each as a child of the publish it received.
    for (JsonObject publish : List.of(orderCreated, stockReserved, paymentCaptured, orderPaid)) {
      trace.consumedBy(
          publish,
          "lattice-audit",
          publish.get("name").getAsString().substring("publish ".length()));
    }

    // And no part of the saga went off into a trace of its own.
    for (String[] hop :
        new String[][] {
          {"lattice-inventory", "process lattice.orders.order_created"},
          {"lattice-payments", "process lattice.inventory.stock_reserved"},
          {"lattice-orders", "process lattice.payments.payment_captured"},
          {"lattice-notifications", "process lattice.orders.order_paid"}
        }) {
      assertThat(traceIds(zipkin, hop[0], hop[1]))
          .as("traces with %s in %s", hop[1], hop[0])
          .containsOnly(createOrderTraces.get(0));
    }
  }

  /** The spans of one trace, as Zipkin's {@code /api/v2/trace/{id}} returns them. */
  private record Trace(JsonArray spans) {

    /** The one span of {@code service} of {@code kind} (null: INTERNAL) named {@code name}. */
    JsonObject one(String service, String kind, String name, Predicate<JsonObject> which) {
      List<JsonObject> found = new ArrayList<>();
      for (JsonElement element : spans) {
        JsonObject span = element.getAsJsonObject();
        if (service.equals(span.getAsJsonObject("localEndpoint").get("serviceName").getAsString())
            && name.equals(span.get("name").getAsString())
            && (kind == null ? !span.has("kind") : kind.equals(text(span, "kind")))
            && which.test(span)) {
          found.add(span);
        }
      }
      assertThat(found)
          .as("%s span %s of %s in the trace; it has:%n%s", kind, name, service, summary())
          .hasSize(1);
      JsonObject span = found.get(0);
      assertThat(span.get("timestamp").getAsLong()).as("%s starts", name).isPositive();
      assertThat(span.get("duration").getAsLong()).as("%s lasts", name).isPositive();
      return span;
    }

    /**
     * The acknowledged publish of {@code subject} by {@code service}, somewhere below {@code
     * cause}, and starting after it.
     */
    JsonObject hop(JsonObject cause, String service, String subject) {
      JsonObject publish =
          one(
              service,
              "PRODUCER",
              "publish " + subject,
              span -> tags(span).containsKey("lattice.stream_sequence"));
      assertDescends(publish, cause);
      return publish;
    }

    /** {@code service}'s handling of {@code publish}: a direct child that handled the event. */
    JsonObject consumedBy(JsonObject publish, String service, String subject) {
      JsonObject process =
          one(
              service,
              "CONSUMER",
              "process " + subject,
              span -> "handled".equals(tags(span).get("lattice.outcome")));
      assertThat(text(process, "parentId"))
          .as("%s's span of %s is the child of the publish", service, subject)
          .isEqualTo(text(publish, "id"));
      assertThat(process.get("timestamp").getAsLong())
          .isGreaterThanOrEqualTo(publish.get("timestamp").getAsLong());
      return process;
    }

    /** {@code span} has {@code ancestor} among its parents, and starts no earlier than it. */
    void assertDescends(JsonObject span, JsonObject ancestor) {
      String ancestorId = text(ancestor, "id");
      JsonObject at = span;
      List<String> path = new ArrayList<>();
      while (at != null && !ancestorId.equals(text(at, "id"))) {
        path.add(text(at, "name"));
        at = byId(text(at, "parentId"));
      }
      assertThat(at)
          .as("%s descends from %s (parents: %s)", text(span, "name"), text(ancestor, "name"), path)
          .isNotNull();
      assertThat(span.get("timestamp").getAsLong())
          .isGreaterThanOrEqualTo(ancestor.get("timestamp").getAsLong());
    }

    private JsonObject byId(String id) {
      if (id == null) {
        return null;
      }
      for (JsonElement element : spans) {
        if (id.equals(text(element.getAsJsonObject(), "id"))) {
          return element.getAsJsonObject();
        }
      }
      return null;
    }

    private String summary() {
      List<String> lines = new ArrayList<>();
      for (JsonElement element : spans) {
        JsonObject span = element.getAsJsonObject();
        lines.add(
            "  "
                + span.getAsJsonObject("localEndpoint").get("serviceName").getAsString()
                + " "
                + text(span, "kind")
                + " "
                + text(span, "name"));
      }
      return lines.stream().sorted().collect(Collectors.joining("\n"));
    }

    private static Map<String, String> tags(JsonObject span) {
      if (!span.has("tags")) {
        return Map.of();
      }
      return span.getAsJsonObject("tags").entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAsString()));
    }

    private static String text(JsonObject span, String field) {
      return span.has(field) ? span.get(field).getAsString() : null;
    }
  }

  private static Predicate<JsonObject> any() {
    return span -> true;
  }

  /** The ids of the traces that have a span {@code spanName} of {@code service}. */
  private List<String> traceIds(String zipkin, String service, String spanName) throws Exception {
    JsonArray traces =
        get(zipkin
                + "/api/v2/traces?serviceName="
                + service
                + "&spanName="
                + URLEncoder.encode(spanName, StandardCharsets.UTF_8)
                + "&lookback=3600000&limit=100")
            .getAsJsonArray();
    List<String> ids = new ArrayList<>();
    for (JsonElement trace : traces) {
      ids.add(trace.getAsJsonArray().get(0).getAsJsonObject().get("traceId").getAsString());
    }
    return ids;
  }

  private JsonArray get(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return JsonParser.parseString(response.body()).getAsJsonArray();
  }

  private static String adminToken(JsonApi edge, Path root) throws IOException {
    Properties secrets = new Properties();
    try (Reader in = Files.newBufferedReader(root.resolve(".lattice").resolve(MeshSecrets.FILE))) {
      secrets.load(in);
    }
    return edge.post("/v1/auth:login")
        .json(
            EdgeAccounts.credentials(
                secrets.getProperty("admin.email"), secrets.getProperty("admin.password")))
        .expect(200)
        .body()
        .get("accessToken")
        .getAsString();
  }

  /** A product with stock, then one order of it paid with the sandbox's tok_visa; its id. */
  private static String placeOrder(JsonApi edge, String token) {
    JsonObject product = new JsonObject();
    product.addProperty("sku", "TRACE-" + UUID.randomUUID());
    product.addProperty("name", "Traced mug");
    product.addProperty("priceAmountMinor", "1250");
    product.addProperty("currency", "EUR");
    product.addProperty("initialStock", "10");
    String productId =
        edge.post("/v1/products")
            .bearer(token)
            .json(product)
            .expect(200)
            .body()
            .getAsJsonObject("product")
            .get("id")
            .getAsString();
    JsonObject line = new JsonObject();
    line.addProperty("productId", productId);
    line.addProperty("quantity", 2);
    JsonArray lines = new JsonArray();
    lines.add(line);
    JsonObject order = new JsonObject();
    order.addProperty("currency", "EUR");
    order.addProperty("paymentMethodToken", "tok_visa");
    order.add("lines", lines);
    return edge.post("/v1/orders")
        .bearer(token)
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .json(order)
        .expect(200)
        .body()
        .getAsJsonObject("order")
        .get("id")
        .getAsString();
  }

  private static String status(JsonApi edge, String token, String orderId) {
    return edge.get("/v1/orders/" + orderId)
        .bearer(token)
        .expect(200)
        .body()
        .getAsJsonObject("order")
        .get("status")
        .getAsString();
  }

  private static boolean portOpen(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
