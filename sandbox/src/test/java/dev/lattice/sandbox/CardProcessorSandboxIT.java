package dev.lattice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sandbox provider's HTTP API on its own: idempotency keys, card tokens, refunds, auth. */
@Timeout(60)
class CardProcessorSandboxIT {

  static final String KEY = "sk_test_sandbox_it";
  static CardProcessorSandbox sandbox;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    sandbox =
        CardProcessorSandbox.start(
            new SandboxConfig(
                0,
                KEY,
                Optional.empty(),
                "whsec",
                Duration.ofMillis(20),
                Duration.ofMillis(80),
                Duration.ofSeconds(2),
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                3));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void sameKeyAndBody_chargesOnce_andReplaysTheAnswer() throws Exception {
    String key = UUID.randomUUID().toString();
    String body = charge(1_000, "tok_visa");

    Reply first = post("/v1/charges", key, body);
    Reply second = post("/v1/charges", key, body);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("status").getAsString()).isEqualTo("succeeded");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().get("id").getAsString())
        .isEqualTo(first.json().get("id").getAsString());
    Reply list = get("/v1/charges?idempotency_key=" + key);
    assertThat(list.json().getAsJsonArray("data")).hasSize(1);
    Reply retrieved = get("/v1/charges/" + first.json().get("id").getAsString());
    assertThat(retrieved.json().get("amount").getAsLong()).isEqualTo(1_000);
  }

  @Test
  void sameKeyWithAnotherBody_isRefused() throws Exception {
    String key = UUID.randomUUID().toString();
    assertThat(post("/v1/charges", key, charge(1_000, "tok_visa")).status()).isEqualTo(200);

    Reply reused = post("/v1/charges", key, charge(1_001, "tok_visa"));

    assertThat(reused.status()).isEqualTo(409);
    assertThat(errorCode(reused)).isEqualTo("idempotency_key_reused");
    assertThat(get("/v1/charges?idempotency_key=" + key).json().getAsJsonArray("data")).hasSize(1);
  }

  @Test
  void requestWhileTheFirstIsInProgress_isRefusedAsTransient() throws Exception {
    String key = UUID.randomUUID().toString();
    String body = charge(500, "tok_timeout");
    // Two identical requests, the second sent while the first (held 2 s by tok_timeout) is
    // answered. Which one the sandbox sees first is the machine's to decide (a busy machine may
    // start the first late): whichever it is takes the key, the other is refused as in progress.
    CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> postQuietly(key, body));
    Thread.sleep(200);
    Reply second = postQuietly(key, body);
    Reply other = first.get();
    Reply concurrent = second.status() == 409 ? second : other;
    Reply answer = second.status() == 409 ? other : second;

    assertThat(concurrent.status()).isEqualTo(409);
    assertThat(errorCode(concurrent)).isEqualTo("request_in_progress");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").getAsString()).isEqualTo("succeeded");
    assertThat(post("/v1/charges", key, body).json().get("id")).isEqualTo(answer.json().get("id"));
    assertThat(get("/v1/charges?idempotency_key=" + key).json().getAsJsonArray("data")).hasSize(1);
  }

  private static Reply postQuietly(String key, String body) {
    try {
      return post("/v1/charges", key, body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void cardTokens_chooseTheOutcome() throws Exception {
    Reply declined =
        post("/v1/charges", UUID.randomUUID().toString(), charge(100, "tok_chargeDeclined"));
    assertThat(declined.status()).isEqualTo(402);
    assertThat(errorCode(declined)).isEqualTo("card_declined");
    Reply poor =
        post("/v1/charges", UUID.randomUUID().toString(), charge(100, "tok_insufficientFunds"));
    assertThat(errorCode(poor)).isEqualTo("insufficient_funds");

    String asyncKey = UUID.randomUUID().toString();
    Reply async = post("/v1/charges", asyncKey, charge(100, "tok_async"));
    assertThat(async.json().get("status").getAsString()).isEqualTo("pending");
    Thread.sleep(800);
    assertThat(
            get("/v1/charges/" + async.json().get("id").getAsString())
                .json()
                .get("status")
                .getAsString())
        .isEqualTo("succeeded");

    String flaky = UUID.randomUUID().toString();
    List<Integer> statuses =
        List.of(
            post("/v1/charges", flaky, charge(100, "tok_flaky")).status(),
            post("/v1/charges", flaky, charge(100, "tok_flaky")).status(),
            post("/v1/charges", flaky, charge(100, "tok_flaky")).status());
    assertThat(statuses).containsExactly(503, 503, 200);
    assertThat(get("/v1/charges?idempotency_key=" + flaky).json().getAsJsonArray("data"))
        .hasSize(1);
  }

  @Test
  void refunds_areIdempotent_andBounded() throws Exception {
    Reply charge = post("/v1/charges", UUID.randomUUID().toString(), charge(1_000, "tok_visa"));
    String chargeId = charge.json().get("id").getAsString();
    String refundKey = UUID.randomUUID().toString();
    String refund = "{\"charge\":\"" + chargeId + "\",\"amount\":600}";

    Reply first = post("/v1/refunds", refundKey, refund);
    Reply again = post("/v1/refunds", refundKey, refund);
    Reply tooMuch = post("/v1/refunds", UUID.randomUUID().toString(), refund);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("status").getAsString()).isEqualTo("succeeded");
    assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(tooMuch.status()).isEqualTo(400);
    assertThat(errorCode(tooMuch)).isEqualTo("amount_too_large");
    assertThat(get("/v1/charges/" + chargeId).json().get("amount_refunded").getAsLong())
        .isEqualTo(600);
    assertThat(get("/v1/refunds/" + first.json().get("id").getAsString()).status()).isEqualTo(200);
  }

  @Test
  void wrongApiKeyOrMissingKey_isRefused() throws Exception {
    HttpRequest noAuth =
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/charges?idempotency_key=x"))
            .GET()
            .build();
    assertThat(http.send(noAuth, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    HttpRequest noKey =
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/charges"))
            .header("Authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString(charge(1, "tok_visa")))
            .build();
    assertThat(http.send(noKey, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
  }

  @Test
  void faultsHelper_failsCallsBeforeAnyEffect_untilCleared_andNeedsTheApiKey() throws Exception {
    String key = UUID.randomUUID().toString();
    HttpRequest anonymous =
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/test_helpers/faults"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"failure_rate\":1}"))
            .build();
    assertThat(http.send(anonymous, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(faults("{\"failure_rate\":2}").status()).isEqualTo(400);
    assertThat(faults("{\"added_latency_ms\":-1}").status()).isEqualTo(400);
    assertThat(faults("{\"added_latency_ms\":\"soon\"}").status()).isEqualTo(400);

    Reply on = faults("{\"added_latency_ms\":5,\"failure_rate\":1}");
    try {
      assertThat(on.status()).isEqualTo(200);
      assertThat(on.json().get("failure_rate").getAsDouble()).isEqualTo(1.0);
      assertThat(get("/v1/test_helpers/faults").json().get("added_latency_ms").getAsLong())
          .isEqualTo(5);
      Reply failed = post("/v1/charges", key, charge(700, "tok_visa"));
      assertThat(failed.status()).isEqualTo(503);
      assertThat(errorCode(failed)).isEqualTo("service_unavailable");
      assertThat(sandbox.chargesWithKey(key)).as("no charge made by a failed call").isEmpty();
    } finally {
      assertThat(faults("{\"added_latency_ms\":0,\"failure_rate\":0}").status()).isEqualTo(200);
    }

    Reply retried = post("/v1/charges", key, charge(700, "tok_visa"));
    assertThat(retried.status()).as("the key stays usable").isEqualTo(200);
    assertThat(sandbox.chargesWithKey(key)).hasSize(1);
  }

  record Reply(int status, JsonObject json) {}

  static Reply faults(String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/test_helpers/faults"))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static String charge(long amount, String token) {
    return "{\"amount\":"
        + amount
        + ",\"currency\":\"EUR\",\"source\":\""
        + token
        + "\",\"description\":\"test\",\"metadata\":{\"order_id\":\"o\"}}";
  }

  static String errorCode(Reply reply) {
    return reply.json().getAsJsonObject("error").get("code").getAsString();
  }

  static Reply post(String path, String key, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
            .header("Authorization", "Bearer " + KEY)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static Reply get(String path) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
            .header("Authorization", "Bearer " + KEY)
            .GET()
            .build());
  }

  static Reply send(HttpRequest request) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(), JsonParser.parseString(response.body()).getAsJsonObject());
  }
}
