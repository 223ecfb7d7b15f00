package dev.lattice.chaos;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The mesh's card processor sandbox as the driver uses it, with the API key payments uses: its test
 * helper makes it slow and failing ({@code /v1/test_helpers/faults}), and its own ledger ({@code
 * GET /v1/charges}) is the provider's word on what was charged and refunded, checked against
 * Lattice's. Thread-safe.
 */
final class CardProcessor {

  /** A charge as the provider keeps it. */
  record Charge(String id, String orderId, String status, long amount, long amountRefunded) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String apiKey;

  CardProcessor(int port, String apiKey) {
    this.base = URI.create("http://127.0.0.1:" + port);
    this.apiKey = apiKey;
  }

  /** Adds {@code latencyMillis} to every call and fails {@code failureRate} of them with 503. */
  void misbehave(long latencyMillis, double failureRate) throws IOException, InterruptedException {
    JsonObject body = new JsonObject();
    body.addProperty("added_latency_ms", latencyMillis);
    body.addProperty("failure_rate", failureRate);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/test_helpers/faults"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "the sandbox refused its faults: " + response.statusCode() + " " + response.body());
    }
  }

  /** Every charge the provider holds. */
  List<Charge> charges() throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/charges"))
                .header("Authorization", "Bearer " + apiKey)
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("the sandbox's ledger: " + response.statusCode());
    }
    List<Charge> charges = new ArrayList<>();
    for (JsonElement e :
        JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("data")) {
      JsonObject c = e.getAsJsonObject();
      JsonObject metadata = c.getAsJsonObject("metadata");
      charges.add(
          new Charge(
              c.get("id").getAsString(),
              metadata.has("order_id") ? metadata.get("order_id").getAsString() : "",
              c.get("status").getAsString(),
              c.get("amount").getAsLong(),
              c.get("amount_refunded").getAsLong()));
    }
    return charges;
  }
}
