package dev.lattice.payments.provider;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link PaymentProvider} over the sandbox provider's HTTP API (decision 0008), with {@link
 * HttpClient}. Each call has its own timeout; a timeout, a connection failure, 5xx, 429 and 409
 * {@code request_in_progress} are {@link TransientProviderException}s, 402 is a declined result,
 * any other 4xx a {@link PermanentProviderException}. No retries here: the workers retry with
 * backoff, and {@link ResilientPaymentProvider} adds the circuit breaker. Thread-safe.
 */
public final class SandboxPaymentProvider implements PaymentProvider {

  /** The adapter's name. */
  public static final String NAME = "sandbox";

  private final URI baseUrl;
  private final String apiKey;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param baseUrl e.g. {@code http://127.0.0.1:9210}
   * @param apiKey the sandbox's API key
   * @param timeout the most one call may take, connecting included
   */
  public SandboxPaymentProvider(URI baseUrl, String apiKey, Duration timeout) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderCharge charge(ChargeCommand command) {
    JsonObject body = new JsonObject();
    body.addProperty("amount", command.amountMinor());
    body.addProperty("currency", command.currency());
    body.addProperty("source", command.paymentMethodToken());
    body.addProperty("description", command.description());
    JsonObject metadata = new JsonObject();
    new TreeMap<>(command.metadata()).forEach(metadata::addProperty);
    body.add("metadata", metadata);
    Answer answer = call(post("/v1/charges", command.idempotencyKey(), body));
    if (answer.status() == 402) {
      JsonObject error = answer.body().getAsJsonObject("error");
      String chargeId = string(error, "charge");
      if (chargeId != null) {
        return retrieveCharge(chargeId);
      }
      return new ProviderCharge(
          "",
          ProviderOutcome.DECLINED,
          command.amountMinor(),
          command.currency(),
          string(error, "code"),
          string(error, "message"),
          command.idempotencyKey(),
          command.metadata());
    }
    return charge(ok(answer));
  }

  @Override
  public ProviderCharge retrieveCharge(String chargeId) {
    return charge(ok(call(get("/v1/charges/" + encode(chargeId)))));
  }

  @Override
  public Optional<ProviderCharge> findCharge(String idempotencyKey) {
    JsonObject list = ok(call(get("/v1/charges?idempotency_key=" + encode(idempotencyKey))));
    for (JsonElement item : list.getAsJsonArray("data")) {
      return Optional.of(charge(item.getAsJsonObject()));
    }
    return Optional.empty();
  }

  @Override
  public ProviderRefund refund(RefundCommand command) {
    JsonObject body = new JsonObject();
    body.addProperty("charge", command.chargeId());
    body.addProperty("amount", command.amountMinor());
    return refund(ok(call(post("/v1/refunds", command.idempotencyKey(), body))));
  }

  @Override
  public ProviderRefund retrieveRefund(String refundId) {
    return refund(ok(call(get("/v1/refunds/" + encode(refundId)))));
  }

  private record Answer(int status, JsonObject body) {}

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(baseUrl.resolve(path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + apiKey)
        .header("Accept", "application/json");
  }

  private HttpRequest get(String path) {
    return request(path).GET().build();
  }

  private HttpRequest post(String path, String idempotencyKey, JsonObject body) {
    return request(path)
        .header("Idempotency-Key", idempotencyKey)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
  }

  private Answer call(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new TransientProviderException(
          "timeout", "the provider did not answer within " + timeout, e);
    } catch (IOException e) {
      throw new TransientProviderException(
          "connection_failed", "cannot reach the provider: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientProviderException(
          "interrupted", "interrupted while calling the provider", e);
    }
    JsonObject body;
    try {
      JsonElement parsed = JsonParser.parseString(response.body());
      body = parsed.isJsonObject() ? parsed.getAsJsonObject() : new JsonObject();
    } catch (JsonParseException e) {
      body = new JsonObject();
    }
    return new Answer(response.statusCode(), body);
  }

  /** The body of a 2xx answer; the matching exception otherwise (402 is handled by the caller). */
  private static JsonObject ok(Answer answer) {
    int status = answer.status();
    if (status >= 200 && status < 300) {
      return answer.body();
    }
    JsonObject error =
        answer.body().has("error") && answer.body().get("error").isJsonObject()
            ? answer.body().getAsJsonObject("error")
            : new JsonObject();
    String code = Optional.ofNullable(string(error, "code")).orElse("http_" + status);
    String message =
        "provider answered "
            + status
            + " "
            + code
            + Optional.ofNullable(string(error, "message")).map(m -> ": " + m).orElse("");
    if (status >= 500 || status == 429 || (status == 409 && "request_in_progress".equals(code))) {
      throw new TransientProviderException(code, message, null);
    }
    throw new PermanentProviderException(status, code, message);
  }

  private static ProviderCharge charge(JsonObject json) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (json.has("metadata") && json.get("metadata").isJsonObject()) {
      json.getAsJsonObject("metadata")
          .entrySet()
          .forEach(
              e -> {
                if (e.getValue().isJsonPrimitive()) {
                  metadata.put(e.getKey(), e.getValue().getAsString());
                }
              });
    }
    return new ProviderCharge(
        string(json, "id"),
        outcome(string(json, "status")),
        json.get("amount").getAsLong(),
        string(json, "currency").toUpperCase(Locale.ROOT),
        string(json, "failure_code"),
        string(json, "failure_message"),
        string(json, "idempotency_key"),
        metadata);
  }

  private static ProviderRefund refund(JsonObject json) {
    return new ProviderRefund(
        string(json, "id"),
        outcome(string(json, "status")),
        json.get("amount").getAsLong(),
        string(json, "charge"),
        string(json, "idempotency_key"));
  }

  private static ProviderOutcome outcome(String status) {
    return switch (status == null ? "" : status) {
      case "succeeded" -> ProviderOutcome.SUCCEEDED;
      case "failed", "canceled" -> ProviderOutcome.DECLINED;
      default -> ProviderOutcome.PENDING;
    };
  }

  private static String string(JsonObject json, String name) {
    JsonElement value = json.get(name);
    return value == null || value.isJsonNull() ? null : value.getAsString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
