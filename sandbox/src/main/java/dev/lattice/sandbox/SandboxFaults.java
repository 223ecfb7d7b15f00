package dev.lattice.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The provider's bad days, switched on at run time through {@code POST /v1/test_helpers/faults} (as
 * a real processor's test mode offers helpers that only exist there): an added latency on every
 * call, and a share of calls answered {@code 503 service_unavailable} before they have any effect
 * (so the idempotency key stays usable, as after a real outage). {@code GET} answers the setting in
 * force; posting zeros ends the bad day. Chaos runs use it to slow the card processor down past the
 * payments service's timeout and make it fail. Thread-safe: one volatile setting.
 */
final class SandboxFaults {

  /** The most latency a caller may add: beyond it a test would only wait. */
  static final long MAX_ADDED_LATENCY_MS = 60_000;

  private record Setting(long addedLatencyMs, double failureRate) {}

  private volatile Setting setting = new Setting(0, 0);

  /** Applies {@code body} ({@code added_latency_ms}, {@code failure_rate}); answers the setting. */
  SandboxReply configure(JsonObject body) {
    long latency;
    double rate;
    try {
      latency = number(body, "added_latency_ms").longValue();
      rate = number(body, "failure_rate").doubleValue();
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
      return SandboxReply.error(
          400, "invalid_request_error", "parameter_invalid", "fields must be numbers");
    }
    if (latency < 0 || latency > MAX_ADDED_LATENCY_MS) {
      return SandboxReply.error(
          400,
          "invalid_request_error",
          "parameter_invalid",
          "added_latency_ms must be between 0 and " + MAX_ADDED_LATENCY_MS);
    }
    if (!(rate >= 0 && rate <= 1)) {
      return SandboxReply.error(
          400, "invalid_request_error", "parameter_invalid", "failure_rate must be within 0..1");
    }
    setting = new Setting(latency, rate);
    return describe();
  }

  /** The setting in force, as {@code GET /v1/test_helpers/faults} answers it. */
  SandboxReply describe() {
    Setting s = setting;
    JsonObject json = new JsonObject();
    json.addProperty("object", "test_helpers.faults");
    json.addProperty("added_latency_ms", s.addedLatencyMs());
    json.addProperty("failure_rate", s.failureRate());
    return SandboxReply.ok(json);
  }

  /** The latency to add to this call, in milliseconds. */
  long addedLatencyMs() {
    return setting.addedLatencyMs();
  }

  /** Whether this call fails with 503 before it has any effect. */
  boolean failsNow() {
    double rate = setting.failureRate();
    return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
  }

  private static Number number(JsonObject body, String field) {
    JsonElement value = body.get(field);
    return value == null || value.isJsonNull() ? 0 : value.getAsNumber();
  }
}
