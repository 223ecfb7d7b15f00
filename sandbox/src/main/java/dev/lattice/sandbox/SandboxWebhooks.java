package dev.lattice.sandbox;

import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the sandbox's webhooks: {@code POST} to the configured URL with a {@link WebhookSigner}
 * header, body {@code {id, type, created, data: {object}}}. An answer other than 2xx (or none
 * within 5 s) is retried after 1 s, 2 s, 4 s, … up to {@link SandboxConfig#webhookRetryMax()}, at
 * most {@link SandboxConfig#webhookAttempts()} deliveries; every delivery of one event carries the
 * same event id and body, signed afresh. Thread-safe.
 */
final class SandboxWebhooks {

  private static final Logger log = LoggerFactory.getLogger(SandboxWebhooks.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);

  private final Optional<URI> url;
  private final WebhookSigner signature;
  private final SandboxConfig config;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final Clock clock;

  SandboxWebhooks(SandboxConfig config, ScheduledExecutorService scheduler, Clock clock) {
    this.url = config.webhookUrl();
    this.signature = new WebhookSigner(config.webhookSecret());
    this.config = config;
    this.scheduler = scheduler;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** Queues event {@code type} about {@code object} for delivery; nothing when no URL is set. */
  void send(String type, JsonObject object) {
    if (url.isEmpty()) {
      return;
    }
    JsonObject data = new JsonObject();
    data.add("object", object);
    JsonObject event = new JsonObject();
    event.addProperty(
        "id", "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
    event.addProperty("object", "event");
    event.addProperty("type", type);
    event.addProperty("created", clock.instant().getEpochSecond());
    event.add("data", data);
    byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);
    scheduler.execute(() -> deliver(event.get("id").getAsString(), body, 1));
  }

  private void deliver(String eventId, byte[] body, int attempt) {
    int status = -1;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(url.orElseThrow())
              .timeout(DELIVERY_TIMEOUT)
              .header("Content-Type", "application/json")
              .header(WebhookSigner.HEADER, signature.sign(body, clock.instant()))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      log.debug("webhook {} delivery {} failed: {}", eventId, attempt, e.toString());
    }
    if (status >= 200 && status < 300) {
      return;
    }
    if (attempt >= config.webhookAttempts()) {
      log.warn(
          "webhook {} given up after {} deliveries (last status {})", eventId, attempt, status);
      return;
    }
    long delay =
        Math.min(
            FIRST_RETRY.toMillis() << Math.min(attempt - 1, 20),
            config.webhookRetryMax().toMillis());
    if (!scheduler.isShutdown()) {
      scheduler.schedule(() -> deliver(eventId, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }
  }
}
