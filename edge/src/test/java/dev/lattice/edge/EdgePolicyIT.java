package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * What the edge does around the mapping: CORS, headers passed on and back, the deadline, the
 * operations routing, the body cap and the access log.
 */
@Timeout(180)
class EdgePolicyIT {

  private static final String ORIGIN = "http://localhost:5173";
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private static EdgeHarness harness;
  private static Http http;

  @BeforeAll
  static void start() {
    harness = new EdgeHarness();
    http = harness.http;
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  private static String body(String sku) {
    return "{\"sku\":\"" + sku + "\",\"name\":\"N\",\"currency\":\"EUR\"}";
  }

  @Test
  void corsPreflight_fromAnAllowedOrigin_isAnswered() {
    Http.Response answer =
        http.send(
            "OPTIONS",
            "/v1/products",
            null,
            "Origin",
            ORIGIN,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "content-type,idempotency-key,authorization");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("access-control-allow-origin")).hasValue(ORIGIN);
    assertThat(answer.header("access-control-allow-methods").orElseThrow())
        .contains("POST", "PATCH", "DELETE");
    assertThat(answer.header("access-control-allow-headers").orElseThrow())
        .contains(
            "idempotency-key", "authorization", "traceparent", "x-grpc-web", "lattice-service");
    assertThat(answer.header("access-control-max-age")).hasValue("3600");
  }

  @Test
  void corsActualRequest_exposesTheHeadersScriptsRead_andRefusesOtherOrigins() {
    Http.Response allowed = http.get("/v1/products", "Origin", "http://127.0.0.1:3000");
    assertThat(allowed.header("access-control-allow-origin")).hasValue("http://127.0.0.1:3000");
    assertThat(allowed.header("access-control-expose-headers").orElseThrow())
        .contains("x-request-id", "retry-after", "idempotency-replayed", "grpc-status");

    Http.Response foreign = http.get("/v1/products", "Origin", "https://evil.example");
    assertThat(foreign.header("access-control-allow-origin")).isEmpty();
  }

  @Test
  void requestHeaders_arriveAsMetadataAtTheUpstream() {
    Http.Response answer =
        http.send(
            "POST",
            "/v1/products",
            body("M-1"),
            "Idempotency-Key",
            "key-m1",
            "X-Request-Id",
            "req-m1",
            "traceparent",
            TRACEPARENT,
            "tracestate",
            "lattice=1",
            "X-Forwarded-For",
            "203.0.113.9",
            "Authorization",
            "Bearer token-m1");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("x-request-id")).hasValue("req-m1");
    Upstream.Received call = harness.inventory.last("CreateProduct");
    assertThat(call.header("idempotency-key")).isEqualTo("key-m1");
    assertThat(call.header("x-request-id")).isEqualTo("req-m1");
    assertThat(call.header("traceparent")).isEqualTo(TRACEPARENT);
    assertThat(call.header("tracestate")).isEqualTo("lattice=1");
    assertThat(call.header("x-forwarded-for")).isEqualTo("203.0.113.9, 127.0.0.1");
    assertThat(call.header("authorization")).isEqualTo("Bearer token-m1");
    assertThat(call.header("content-length")).isNull();
  }

  @Test
  void requestId_isGeneratedWhenAbsent_andTheSameOneReachesTheUpstream() {
    Http.Response answer = http.get("/v1/products/" + UUID.randomUUID());

    String generated = answer.header("x-request-id").orElseThrow();
    assertThat(UUID.fromString(generated)).isNotNull();
    assertThat(harness.inventory.last("GetProduct").header("x-request-id")).isEqualTo(generated);
  }

  @Test
  void replay_isMarked_andServiceTrailersBecomeHeaders() {
    Http.Response first =
        http.send("POST", "/v1/products", body("R-1"), "Idempotency-Key", "key-r1");
    Http.Response again =
        http.send("POST", "/v1/products", body("R-1"), "Idempotency-Key", "key-r1");

    assertThat(first.header("idempotency-replayed")).isEmpty();
    assertThat(first.header("x-served-by")).hasValue("inventory-fixture");
    assertThat(again.header("idempotency-replayed")).hasValue("true");
    assertThat(again.json()).isEqualTo(first.json());
  }

  @Test
  void everyCall_carriesTheEdgesDeadlineToTheUpstream() {
    http.get("/v1/products/" + UUID.randomUUID());

    long remaining =
        harness.inventory.last("GetProduct").deadline().timeRemaining(TimeUnit.MILLISECONDS);
    assertThat(remaining).isBetween(10_000L, 15_000L);
  }

  @Test
  void operations_areRoutedByTheServiceInThePath() {
    JsonObject orders = http.get("/v1/operations/orders/outbox").json();
    JsonObject inventory = http.get("/v1/operations/inventory/outbox").json();

    assertThat(orders.getAsJsonObject("status").get("service").getAsString()).isEqualTo("orders");
    assertThat(inventory.getAsJsonObject("status").get("service").getAsString())
        .isEqualTo("inventory");
  }

  @Test
  void operationsCustomVerbs_takeTheirBody_andAreRoutedByTheServiceInThePath() {
    JsonObject orders =
        http.send(
                "POST",
                "/v1/operations/orders/consumers:pause",
                "{\"consumer\":\"saga-payment-captured\"}")
            .json();

    JsonObject consumer = orders.getAsJsonArray("consumers").get(0).getAsJsonObject();
    assertThat(consumer.get("name").getAsString()).isEqualTo("orders/saga-payment-captured");
    assertThat(consumer.get("state").getAsString()).isEqualTo("CONSUMER_STATE_PAUSED");
    assertThat(harness.orders.last("PauseConsumers")).isNotNull();
  }

  @Test
  void operations_forAnUnknownService_isNotFoundAsJson() {
    Http.Response answer = http.get("/v1/operations/warehouse/outbox");

    assertThat(answer.status()).isEqualTo(404);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(5);
    assertThat(body.getAsJsonArray("details").get(0).getAsJsonObject().get("reason").getAsString())
        .isEqualTo("SERVICE_NOT_FOUND");
  }

  @Test
  void operations_ofAServiceThatIsDown_isServiceUnavailableAsJson() {
    Http.Response answer = http.get("/v1/operations/audit/outbox");

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().get("message").getAsString())
        .isEqualTo("the audit service is unavailable");
  }

  @Test
  void bodyOverOneMebibyte_isPayloadTooLargeAsJson() {
    String description = "x".repeat(1024 * 1024);
    Http.Response answer =
        http.send(
            "POST",
            "/v1/products",
            "{\"sku\":\"BIG\",\"description\":\"" + description + "\"}",
            "Origin",
            ORIGIN);

    assertThat(answer.status()).isEqualTo(413);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(8);
    assertThat(body.getAsJsonArray("details").get(0).getAsJsonObject().get("reason").getAsString())
        .isEqualTo("REQUEST_TOO_LARGE");
  }

  @Test
  void bodyJustUnderTheCap_isServed() {
    String description = "y".repeat(1000 * 1000);
    Http.Response answer =
        http.send(
            "POST", "/v1/products", "{\"sku\":\"NEAR\",\"description\":\"" + description + "\"}");

    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void accessLog_writesOneJsonLinePerRequest() {
    Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      http.get("/v1/products/fail-NOT_FOUND", "X-Request-Id", "log-1");

      List<JsonObject> logged = new ArrayList<>();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(
              () -> {
                logged.clear();
                for (ILoggingEvent event : List.copyOf(lines.list)) {
                  JsonObject line =
                      JsonParser.parseString(event.getFormattedMessage()).getAsJsonObject();
                  if ("log-1".equals(line.get("requestId").getAsString())) {
                    logged.add(line);
                  }
                }
                return logged.size() == 1;
              });
      JsonObject line = logged.get(0);
      assertThat(line.get("method").getAsString()).isEqualTo("GET");
      assertThat(line.get("path").getAsString()).isEqualTo("/v1/products/fail-NOT_FOUND");
      assertThat(line.get("status").getAsInt()).isEqualTo(404);
      assertThat(line.get("grpcStatus").getAsInt()).isEqualTo(5);
      assertThat(line.get("durationMs").getAsDouble()).isPositive();
      assertThat(line.get("protocol").getAsString()).isEqualTo("json");
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void rateLimit_refusesWithTooManyRequestsAndRetryAfter() {
    try (EdgeHarness limited = new EdgeHarness(Map.of("LATTICE_EDGE_RATE_LIMIT", "2"))) {
      List<Http.Response> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        answers.add(limited.http.get("/v1/products", "Origin", ORIGIN));
      }

      Http.Response refused =
          answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
      assertThat(answers.get(0).status()).isEqualTo(200);
      assertThat(refused.header("retry-after")).hasValue("1");
      assertThat(refused.header("x-request-id")).isPresent();
      assertThat(refused.header("access-control-allow-origin")).hasValue(ORIGIN);
      JsonObject body = refused.json();
      assertThat(body.get("code").getAsInt()).isEqualTo(8);
      assertThat(
              body.getAsJsonArray("details")
                  .get(1)
                  .getAsJsonObject()
                  .get("retryDelay")
                  .getAsString())
          .isEqualTo("1s");
    }
  }

  @Test
  void shortTimeout_endsASlowCallWithGatewayTimeout() {
    try (EdgeHarness strict = new EdgeHarness(Map.of("LATTICE_EDGE_TIMEOUT", "500ms"))) {
      Http.Response answer = strict.http.get("/v1/products/slow-2000");

      assertThat(answer.status()).isEqualTo(504);
      assertThat(answer.json().get("code").getAsInt()).isEqualTo(4);
      assertThat(answer.json().get("message").getAsString()).isEqualTo("deadline exceeded");
    }
  }

  @Test
  void close_letsCallsInFlightFinish_refusesNewOnes_thenStopsListening() throws Exception {
    try (EdgeHarness draining = new EdgeHarness()) {
      java.net.URI base = draining.baseUrl();
      CompletableFuture<Http.Response> inFlight =
          CompletableFuture.supplyAsync(() -> draining.http.get("/v1/products/slow-1500"));
      draining.inventory.last("GetProduct");

      CompletableFuture<Void> closing = CompletableFuture.runAsync(draining.edge::close);
      Thread.sleep(300);
      Http.Response during = new Http(base).get("/v1/products");

      assertThat(during.status()).isEqualTo(503);
      assertThat(during.json().get("code").getAsInt()).isEqualTo(14);
      assertThat(inFlight.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      closing.get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> new Http(base).get("/v1/products"))
          .isInstanceOf(UncheckedIOException.class);
    }
  }
}
