package dev.lattice.sandbox;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's in-memory accounts: charges, refunds and idempotency keys, and the behaviour of
 * the test card tokens (decision 0008). One charge per idempotency key and one refund per key: a
 * repeat with the same body gets the stored answer, a different body 409 {@code
 * idempotency_key_reused}, a repeat while the first is still running 409 {@code
 * request_in_progress}. Answers 5xx are not stored (the key stays usable), as with real
 * processors. Thread-safe: state changes under this object's lock; waits happen outside it.
 */
final class SandboxLedger {

  /** Test card tokens. */
  static final String VISA = "tok_visa";
  static final String DECLINED = "tok_chargeDeclined";
  static final String INSUFFICIENT_FUNDS = "tok_insufficientFunds";
  static final String TIMEOUT = "tok_timeout";
  static final String ASYNC = "tok_async";
  static final String ASYNC_DECLINED = "tok_asyncDeclined";
  static final String NO_CONFIRM = "tok_noConfirm";
  static final String FLAKY = "tok_flaky";

  private static final int FLAKY_FAILURES = 2;

  private final SandboxConfig config;
  private final SandboxWebhooks webhooks;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Map<String, JsonObject> charges = new LinkedHashMap<>();
  private final Map<String, JsonObject> refunds = new LinkedHashMap<>();
  private final Map<String, KeyEntry> keys = new HashMap<>();

  SandboxLedger(
      SandboxConfig config, SandboxWebhooks webhooks, ScheduledExecutorService scheduler, Clock clock) {
    this.config = config;
    this.webhooks = webhooks;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** The state of one idempotency key. */
  private static final class KeyEntry {
    final JsonObject request;
    int attempts;
    boolean inProgress;
    SandboxReply reply;

    KeyEntry(JsonObject request) {
      this.request = request;
    }
  }

  /** {@code POST /v1/charges}. May block (tok_timeout) for {@link SandboxConfig#timeoutDelay()}. */
  SandboxReply charge(String key, JsonObject body) throws InterruptedException {
    KeyEntry entry;
    String chargeId;
    synchronized (this) {
      SandboxReply early = claim("charge:" + key, body);
      if (early != null) {
        return early;
      }
      entry = keys.get("charge:" + key);
      SandboxReply invalid = invalidCharge(body);
      if (invalid != null) {
        entry.reply = invalid;
        return invalid.copy();
      }
      String source = body.get("source").getAsString();
      if (FLAKY.equals(source) && entry.attempts <= FLAKY_FAILURES) {
        return SandboxReply.error(503, "api_error", "service_unavailable", "try again later");
      }
      JsonObject charge = newCharge(key, body);
      chargeId = charge.get("id").getAsString();
      switch (source) {
        case VISA, FLAKY -> settle(charge, true, null);
        case DECLINED -> settle(charge, false, "card_declined");
        case INSUFFICIENT_FUNDS -> settle(charge, false, "insufficient_funds");
        case ASYNC, TIMEOUT -> confirmLater(chargeId, true);
        case ASYNC_DECLINED -> confirmLater(chargeId, false);
        case NO_CONFIRM -> { }
        default -> {
          charges.remove(chargeId);
          entry.reply = SandboxReply.error(
              400, "invalid_request_error", "resource_missing", "no such token: " + source);
          return entry.reply.copy();
        }
      }
      if (!TIMEOUT.equals(source)) {
        entry.reply = chargeReply(charge);
        return entry.reply.copy();
      }
      entry.inProgress = true;
    }
    // tok_timeout: the charge exists (and is confirmed by webhook) long before the answer.
    try {
      Thread.sleep(config.timeoutDelay());
    } finally {
      synchronized (this) {
        entry.inProgress = false;
        entry.reply = chargeReply(charges.get(chargeId));
      }
    }
    synchronized (this) {
      return entry.reply.copy();
    }
  }

  /** {@code GET /v1/charges/{id}}. */
  synchronized SandboxReply retrieveCharge(String id) {
    JsonObject charge = charges.get(id);
    return charge == null
        ? SandboxReply.error(404, "invalid_request_error", "resource_missing", "no such charge: " + id)
        : SandboxReply.ok(charge.deepCopy());
  }

  /** {@code GET /v1/charges?idempotency_key=…}: the charges made with the key (at most one). */
  synchronized SandboxReply listCharges(String key) {
    JsonArray data = new JsonArray();
    for (JsonObject charge : charges.values()) {
      if (key == null || key.equals(charge.get("idempotency_key").getAsString())) {
        data.add(charge.deepCopy());
      }
    }
    JsonObject list = new JsonObject();
    list.addProperty("object", "list");
    list.add("data", data);
    return SandboxReply.ok(list);
  }

  /** {@code POST /v1/refunds}: refunds succeed at once and are confirmed by webhook as well. */
  synchronized SandboxReply refund(String key, JsonObject body) {
    SandboxReply early = claim("refund:" + key, body);
    if (early != null) {
      return early;
    }
    KeyEntry entry = keys.get("refund:" + key);
    JsonObject charge = body.has("charge") && body.get("charge").isJsonPrimitive()
        ? charges.get(body.get("charge").getAsString())
        : null;
    if (charge == null) {
      entry.reply = SandboxReply.error(400, "invalid_request_error", "resource_missing", "no such charge");
      return entry.reply.copy();
    }
    long remaining = charge.get("amount").getAsLong() - charge.get("amount_refunded").getAsLong();
    long amount = body.has("amount") ? body.get("amount").getAsLong() : remaining;
    if (!"succeeded".equals(charge.get("status").getAsString())) {
      entry.reply = SandboxReply.error(
          400, "invalid_request_error", "charge_not_refundable", "the charge is not captured");
      return entry.reply.copy();
    }
    if (amount <= 0 || amount > remaining) {
      entry.reply = SandboxReply.error(
          400, "invalid_request_error", "amount_too_large", "refund above the refundable amount");
      return entry.reply.copy();
    }
    charge.addProperty("amount_refunded", charge.get("amount_refunded").getAsLong() + amount);
    charge.addProperty("refunded", charge.get("amount_refunded").getAsLong() == charge.get("amount").getAsLong());
    JsonObject refund = new JsonObject();
    refund.addProperty("id", "re_" + random());
    refund.addProperty("object", "refund");
    refund.addProperty("amount", amount);
    refund.addProperty("currency", charge.get("currency").getAsString());
    refund.addProperty("charge", charge.get("id").getAsString());
    refund.addProperty("status", "succeeded");
    refund.addProperty("idempotency_key", key);
    refund.addProperty("created", clock.instant().getEpochSecond());
    refunds.put(refund.get("id").getAsString(), refund);
    entry.reply = SandboxReply.ok(refund.deepCopy());
    webhooks.send("refund.succeeded", refund.deepCopy());
    return entry.reply.copy();
  }

  /** {@code GET /v1/refunds/{id}}. */
  synchronized SandboxReply retrieveRefund(String id) {
    JsonObject refund = refunds.get(id);
    return refund == null
        ? SandboxReply.error(404, "invalid_request_error", "resource_missing", "no such refund: " + id)
        : SandboxReply.ok(refund.deepCopy());
  }

  /** Charges made with {@code key}, for tests. */
  synchronized List<JsonObject> chargesWithKey(String key) {
    List<JsonObject> found = new ArrayList<>();
    charges.values().stream()
        .filter(c -> key.equals(c.get("idempotency_key").getAsString()))
        .forEach(c -> found.add(c.deepCopy()));
    return found;
  }

  /**
   * The idempotency check of a new request: an answer when the key decides it (a replay or a
   * 409), or null after recording one more attempt of the key.
   */
  private SandboxReply claim(String scopedKey, JsonObject body) {
    KeyEntry entry = keys.get(scopedKey);
    if (entry == null) {
      entry = new KeyEntry(body.deepCopy());
      keys.put(scopedKey, entry);
    } else if (!entry.request.equals(body)) {
      return SandboxReply.error(409, "idempotency_error", "idempotency_key_reused",
          "the key was used with another request body");
    } else if (entry.inProgress) {
      return SandboxReply.error(409, "idempotency_error", "request_in_progress",
          "a request with this key is still being processed");
    } else if (entry.reply != null) {
      return entry.reply.copy();
    }
    entry.attempts++;
    return null;
  }

  private static SandboxReply invalidCharge(JsonObject body) {
    if (!isLong(body.get("amount")) || body.get("amount").getAsLong() < 0) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_invalid", "amount");
    }
    if (!isString(body.get("currency")) || !body.get("currency").getAsString().matches("[A-Za-z]{3}")) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_invalid", "currency");
    }
    if (!isString(body.get("source"))) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_missing", "source");
    }
    return null;
  }

  private JsonObject newCharge(String key, JsonObject body) {
    JsonObject charge = new JsonObject();
    String id = "ch_" + random();
    charge.addProperty("id", id);
    charge.addProperty("object", "charge");
    charge.addProperty("amount", body.get("amount").getAsLong());
    charge.addProperty("amount_refunded", 0L);
    charge.addProperty("refunded", false);
    charge.addProperty("currency", body.get("currency").getAsString().toLowerCase(java.util.Locale.ROOT));
    charge.addProperty("source", body.get("source").getAsString());
    charge.add("description", body.has("description") ? body.get("description") : null);
    charge.add("metadata", body.has("metadata") && body.get("metadata").isJsonObject()
        ? body.get("metadata").deepCopy() : new JsonObject());
    charge.addProperty("status", "pending");
    charge.add("failure_code", com.google.gson.JsonNull.INSTANCE);
    charge.add("failure_message", com.google.gson.JsonNull.INSTANCE);
    charge.addProperty("idempotency_key", key);
    charge.addProperty("created", clock.instant().getEpochSecond());
    charges.put(id, charge);
    return charge;
  }

  private static void settle(JsonObject charge, boolean succeeded, String failureCode) {
    charge.addProperty("status", succeeded ? "succeeded" : "failed");
    if (!succeeded) {
      charge.addProperty("failure_code", failureCode);
      charge.addProperty("failure_message", switch (failureCode) {
        case "insufficient_funds" -> "Your card has insufficient funds.";
        default -> "Your card was declined.";
      });
    }
  }

  private void confirmLater(String chargeId, boolean succeeded) {
    long delay = config.confirmDelay().toMillis();
    scheduler.schedule(() -> {
      JsonObject snapshot;
      synchronized (this) {
        JsonObject charge = charges.get(chargeId);
        settle(charge, succeeded, succeeded ? null : "card_declined");
        snapshot = charge.deepCopy();
      }
      webhooks.send(succeeded ? "charge.succeeded" : "charge.failed", snapshot);
    }, delay, TimeUnit.MILLISECONDS);
  }

  /** A charge's answer: 200 unless it failed, then 402 with the card error and the charge id. */
  private static SandboxReply chargeReply(JsonObject charge) {
    if ("failed".equals(charge.get("status").getAsString())) {
      SandboxReply error = SandboxReply.error(402, "card_error",
          charge.get("failure_code").getAsString(), charge.get("failure_message").getAsString());
      error.body().getAsJsonObject("error").addProperty("charge", charge.get("id").getAsString());
      return error;
    }
    return SandboxReply.ok(charge.deepCopy());
  }

  private static boolean isLong(JsonElement value) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      return false;
    }
    try {
      value.getAsBigDecimal().longValueExact();
      return true;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static boolean isString(JsonElement value) {
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString();
  }

  private static String random() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }
}
