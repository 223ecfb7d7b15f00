package dev.lattice.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox card processor of decision 0008 over HTTP (JDK {@link HttpServer}): {@code POST
 * /v1/charges}, {@code GET /v1/charges/{id}}, {@code GET /v1/charges?idempotency_key=…}, {@code
 * POST /v1/refunds}, {@code GET /v1/refunds/{id}}, and the test helper {@code
 * /v1/test_helpers/faults} ({@link SandboxFaults}: slow and failing at run time); every call needs
 * {@code Authorization: Bearer <api key>}, every POST but the helper's an {@code Idempotency-Key},
 * and takes an added 20–80 ms. State is in memory and lost on {@link #close()}. Embeddable (tests,
 * the mesh launcher) or run by {@link SandboxMain}. Thread-safe.
 */
public final class CardProcessorSandbox implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CardProcessorSandbox.class);
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final HttpServer server;
  private final ScheduledExecutorService scheduler;
  private final SandboxLedger ledger;
  private final SandboxConfig config;
  private final SandboxFaults faults = new SandboxFaults();
  private volatile Consumer<String> afterCharge = key -> {};

  private CardProcessorSandbox(
      HttpServer server,
      ScheduledExecutorService scheduler,
      SandboxLedger ledger,
      SandboxConfig config) {
    this.server = server;
    this.scheduler = scheduler;
    this.ledger = ledger;
    this.config = config;
  }

  /** Starts serving on {@link SandboxConfig#port()} (0 for any free port) on every interface. */
  public static CardProcessorSandbox start(SandboxConfig config) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.port()), 128);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the sandbox provider on port " + config.port(), e);
    }
    ScheduledExecutorService scheduler =
        Executors.newScheduledThreadPool(4, Thread.ofVirtual().name("sandbox-", 0).factory());
    Clock clock = Clock.systemUTC();
    SandboxLedger ledger =
        new SandboxLedger(config, new SandboxWebhooks(config, scheduler, clock), scheduler, clock);
    CardProcessorSandbox sandbox = new CardProcessorSandbox(server, scheduler, ledger, config);
    server.createContext("/v1/", sandbox::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    log.info(
        "sandbox payment provider on http://0.0.0.0:{} (webhooks to {})",
        server.getAddress().getPort(),
        config.webhookUrl().map(Object::toString).orElse("nowhere"));
    return sandbox;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * Calls {@code hook} with the idempotency key each time a charge request has been taken (the
   * charge exists) and before its answer is sent: lets a failure test kill the caller at the moment
   * a real processor has charged but the caller has not heard.
   */
  public void afterCharge(Consumer<String> hook) {
    this.afterCharge = Objects.requireNonNull(hook, "hook");
  }

  /** The charges made with idempotency key {@code key} as JSON objects, for tests. */
  public List<JsonObject> chargesWithKey(String key) {
    return ledger.chargesWithKey(key);
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      SandboxReply reply;
      try {
        reply = route(exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply = SandboxReply.error(503, "api_error", "shutting_down", "the sandbox is stopping");
      } catch (RuntimeException e) {
        log.error("sandbox request failed", e);
        reply = SandboxReply.error(500, "api_error", "internal_error", "sandbox error");
      }
      send(exchange, reply);
    } catch (IOException e) {
      // The client went away (e.g. it timed out waiting for tok_timeout): nothing to answer.
      log.debug("sandbox answer not delivered: {}", e.toString());
    }
  }

  private SandboxReply route(HttpExchange exchange) throws IOException, InterruptedException {
    Thread.sleep(latencyMillis());
    if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return SandboxReply.error(401, "authentication_error", "invalid_api_key", "invalid API key");
    }
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    String[] parts = path.substring(1).split("/");
    if (parts.length < 2 || !"v1".equals(parts[0])) {
      return notFound();
    }
    String resource = parts[1];
    if (parts.length == 3 && "test_helpers".equals(resource) && "faults".equals(parts[2])) {
      return testHelper(exchange, method);
    }
    Thread.sleep(faults.addedLatencyMs());
    if (faults.failsNow()) {
      return SandboxReply.error(503, "api_error", "service_unavailable", "try again later");
    }
    if (parts.length == 2 && "POST".equals(method)) {
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      if (key == null || key.isBlank() || key.length() > 255) {
        return SandboxReply.error(
            400, "invalid_request_error", "idempotency_key_missing", "Idempotency-Key is required");
      }
      JsonObject body = body(exchange);
      if (body == null) {
        return SandboxReply.error(
            400, "invalid_request_error", "body_invalid", "body must be a JSON object");
      }
      return switch (resource) {
        case "charges" -> {
          SandboxReply reply = ledger.charge(key, body);
          if (reply.status() / 100 == 2) {
            afterCharge.accept(key);
          }
          yield reply;
        }
        case "refunds" -> ledger.refund(key, body);
        default -> notFound();
      };
    }
    if (!"GET".equals(method)) {
      return SandboxReply.error(405, "invalid_request_error", "method_not_allowed", method);
    }
    if (parts.length == 2 && "charges".equals(resource)) {
      return ledger.listCharges(queryParameter(exchange, "idempotency_key"));
    }
    if (parts.length == 3) {
      return switch (resource) {
        case "charges" -> ledger.retrieveCharge(parts[2]);
        case "refunds" -> ledger.retrieveRefund(parts[2]);
        default -> notFound();
      };
    }
    return notFound();
  }

  private SandboxReply testHelper(HttpExchange exchange, String method) throws IOException {
    if ("GET".equals(method)) {
      return faults.describe();
    }
    if (!"POST".equals(method)) {
      return SandboxReply.error(405, "invalid_request_error", "method_not_allowed", method);
    }
    JsonObject body = body(exchange);
    return body == null
        ? SandboxReply.error(
            400, "invalid_request_error", "body_invalid", "body must be a JSON object")
        : faults.configure(body);
  }

  private boolean authorized(String header) {
    String expected = "Bearer " + config.apiKey();
    return header != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
  }

  private long latencyMillis() {
    long min = config.minLatency().toMillis();
    long max = config.maxLatency().toMillis();
    return max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
  }

  private static JsonObject body(HttpExchange exchange) throws IOException {
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (raw.length > MAX_BODY_BYTES) {
      return null;
    }
    try {
      JsonElement parsed = JsonParser.parseString(new String(raw, StandardCharsets.UTF_8));
      return parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
    } catch (JsonParseException e) {
      return null;
    }
  }

  private static String queryParameter(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && name.equals(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8))) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static SandboxReply notFound() {
    return SandboxReply.error(404, "invalid_request_error", "not_found", "unknown endpoint");
  }

  private static void send(HttpExchange exchange, SandboxReply reply) throws IOException {
    byte[] body = reply.body().toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(reply.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops serving and sending webhooks; in-flight requests get at most a second to finish. */
  @Override
  public void close() {
    server.stop(1);
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
