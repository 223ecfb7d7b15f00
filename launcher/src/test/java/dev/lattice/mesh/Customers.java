package dev.lattice.mesh;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady checkout load through the edge: a few customers placing one-unit orders back to back,
 * each with its own idempotency key, and doing what the contract asks of a client on {@code 503}
 * (UNAVAILABLE, "retry with the same idempotency key") or {@code 504} (DEADLINE_EXCEEDED: the
 * outcome is unknown, the key makes a retry safe): waiting the advertised retry delay and sending
 * the same request under the same key again. A checkout counts as lost only if it never succeeds
 * within {@link #ATTEMPTS} attempts or fails in another way. Thread-safe.
 */
final class Customers {

  static final int ATTEMPTS = 10;
  private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

  final List<String> orders = new CopyOnWriteArrayList<>();
  final List<String> lost = new CopyOnWriteArrayList<>();
  final AtomicInteger retried = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  private Customers() {}

  static Customers start(int count, JsonApi edge, String token, String productId) {
    Customers customers = new Customers();
    for (int i = 0; i < count; i++) {
      customers.threads.add(
          Thread.ofPlatform().start(() -> customers.shop(edge, token, productId)));
    }
    return customers;
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }

  private void shop(JsonApi edge, String token, String productId) {
    while (running.get()) {
      try {
        checkOut(edge, token, productId);
      } catch (AssertionError e) { // no answer at all, or an error body of the wrong shape
        lost.add(e.getMessage());
      }
    }
  }

  private void checkOut(JsonApi edge, String token, String productId) {
    {
      String key = UUID.randomUUID().toString();
      JsonApi.Reply reply = null;
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        reply = order(edge, token, productId, key);
        if (reply.status() != 503 && reply.status() != 504) {
          break;
        }
        retried.incrementAndGet();
        pause();
      }
      if (reply.status() == 200) {
        orders.add(reply.body().getAsJsonObject("order").get("id").getAsString());
      } else {
        lost.add(key + ": " + reply.status() + " " + reply.raw().body());
      }
    }
  }

  /** The retry delay a 503 advertises (RetryInfo, 1 s): a client's backoff, not a test wait. */
  private static void pause() {
    try {
      Thread.sleep(RETRY_DELAY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static JsonApi.Reply order(JsonApi edge, String token, String productId, String key) {
    JsonObject line = new JsonObject();
    line.addProperty("productId", productId);
    line.addProperty("quantity", 1);
    JsonArray lines = new JsonArray();
    lines.add(line);
    JsonObject order = new JsonObject();
    order.addProperty("currency", "EUR");
    order.addProperty("paymentMethodToken", "tok_visa");
    order.add("lines", lines);
    return edge.post("/v1/orders").bearer(token).header("Idempotency-Key", key).json(order).send();
  }
}
