package dev.lattice.sandbox;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's in-memory accounts: charges, refunds and idempotency keys, and the behaviour of the
 * test card tokens (decision 0008). One charge per idempotency key and one refund per key ({@link
 * SandboxKeys}); answers 5xx are not stored (the key stays usable), as with real processors. The
 * JSON of the objects is {@link SandboxJson}'s, kept as text (a Gson tree took ten times the room,
 * and the sandbox shares its heap with the services in {@code ./mesh up}). Thread-safe: state
 * changes under this object's lock; waits happen outside it.
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
  private final Map<String, String> charges = new LinkedHashMap<>();
  private final Map<String, String> chargeByKey = new HashMap<>();
  private final Map<String, String> refunds = new LinkedHashMap<>();
  private final SandboxKeys keys = new SandboxKeys();

  SandboxLedger(
      SandboxConfig config,
      SandboxWebhooks webhooks,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.config = config;
    this.webhooks = webhooks;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** {@code POST /v1/charges}. May block (tok_timeout) for {@link SandboxConfig#timeoutDelay()}. */
  SandboxReply charge(String key, JsonObject body) throws InterruptedException {
    SandboxKeys.Entry entry;
    String chargeId;
    synchronized (this) {
      SandboxReply early = keys.claim("charge:" + key, body);
      if (early != null) {
        return early;
      }
      entry = keys.entry("charge:" + key);
      SandboxReply invalid = SandboxJson.invalidCharge(body);
      if (invalid != null) {
        return entry.answer(invalid);
      }
      String source = body.get("source").getAsString();
      if (FLAKY.equals(source) && entry.attempts <= FLAKY_FAILURES) {
        return SandboxReply.error(503, "api_error", "service_unavailable", "try again later");
      }
      JsonObject charge = SandboxJson.newCharge(key, body, clock.instant().getEpochSecond());
      chargeId = charge.get("id").getAsString();
      switch (source) {
        case VISA, FLAKY -> SandboxJson.settle(charge, true, null);
        case DECLINED -> SandboxJson.settle(charge, false, "card_declined");
        case INSUFFICIENT_FUNDS -> SandboxJson.settle(charge, false, "insufficient_funds");
        case ASYNC, TIMEOUT -> confirmLater(chargeId, true);
        case ASYNC_DECLINED -> confirmLater(chargeId, false);
        case NO_CONFIRM -> {}
        default -> {
          return entry.answer(
              SandboxReply.error(
                  400, "invalid_request_error", "resource_missing", "no such token: " + source));
        }
      }
      storeCharge(charge);
      chargeByKey.put(key, chargeId);
      if (!TIMEOUT.equals(source)) {
        return entry.answer(SandboxJson.chargeReply(charge));
      }
      entry.inProgress = true;
    }
    // tok_timeout: the charge exists (and is confirmed by webhook) long before the answer.
    try {
      Thread.sleep(config.timeoutDelay());
    } finally {
      synchronized (this) {
        entry.inProgress = false;
        entry.answer(SandboxJson.chargeReply(charge(chargeId)));
      }
    }
    synchronized (this) {
      return entry.answer();
    }
  }

  /** {@code GET /v1/charges/{id}}. */
  synchronized SandboxReply retrieveCharge(String id) {
    JsonObject charge = charge(id);
    return charge == null
        ? SandboxReply.error(
            404, "invalid_request_error", "resource_missing", "no such charge: " + id)
        : SandboxReply.ok(charge);
  }

  /** {@code GET /v1/charges?idempotency_key=…}: the charges made with the key (at most one). */
  synchronized SandboxReply listCharges(String key) {
    JsonArray data = new JsonArray();
    for (JsonObject charge : chargesWith(key)) {
      data.add(charge);
    }
    JsonObject list = new JsonObject();
    list.addProperty("object", "list");
    list.add("data", data);
    return SandboxReply.ok(list);
  }

  /** {@code POST /v1/refunds}: refunds succeed at once and are confirmed by webhook as well. */
  synchronized SandboxReply refund(String key, JsonObject body) {
    SandboxReply early = keys.claim("refund:" + key, body);
    if (early != null) {
      return early;
    }
    SandboxKeys.Entry entry = keys.entry("refund:" + key);
    JsonObject charge =
        body.has("charge") && body.get("charge").isJsonPrimitive()
            ? charge(body.get("charge").getAsString())
            : null;
    if (charge == null) {
      return entry.answer(
          SandboxReply.error(400, "invalid_request_error", "resource_missing", "no such charge"));
    }
    long remaining = charge.get("amount").getAsLong() - charge.get("amount_refunded").getAsLong();
    long amount = body.has("amount") ? body.get("amount").getAsLong() : remaining;
    if (!"succeeded".equals(charge.get("status").getAsString())) {
      return entry.answer(
          SandboxReply.error(
              400, "invalid_request_error", "charge_not_refundable", "the charge is not captured"));
    }
    if (amount <= 0 || amount > remaining) {
      return entry.answer(
          SandboxReply.error(
              400,
              "invalid_request_error",
              "amount_too_large",
              "refund above the refundable amount"));
    }
    charge.addProperty("amount_refunded", charge.get("amount_refunded").getAsLong() + amount);
    charge.addProperty(
        "refunded", charge.get("amount_refunded").getAsLong() == charge.get("amount").getAsLong());
    storeCharge(charge);
    JsonObject refund =
        SandboxJson.newRefund(key, charge, amount, clock.instant().getEpochSecond());
    refunds.put(refund.get("id").getAsString(), refund.toString());
    webhooks.send("refund.succeeded", refund.deepCopy());
    return entry.answer(SandboxReply.ok(refund));
  }

  /** {@code GET /v1/refunds/{id}}. */
  synchronized SandboxReply retrieveRefund(String id) {
    String refund = refunds.get(id);
    return refund == null
        ? SandboxReply.error(
            404, "invalid_request_error", "resource_missing", "no such refund: " + id)
        : SandboxReply.ok(JsonParser.parseString(refund).getAsJsonObject());
  }

  /** Charges made with {@code key}, for tests. */
  synchronized List<JsonObject> chargesWithKey(String key) {
    return chargesWith(key);
  }

  /** The charges made with {@code key} (at most one), or every charge when it is null; copies. */
  private List<JsonObject> chargesWith(String key) {
    List<JsonObject> found = new ArrayList<>();
    if (key == null) {
      charges.keySet().forEach(id -> found.add(charge(id)));
    } else if (chargeByKey.containsKey(key)) {
      found.add(charge(chargeByKey.get(key)));
    }
    return found;
  }

  /** A copy of charge {@code id}, or null. */
  private JsonObject charge(String id) {
    String charge = charges.get(id);
    return charge == null ? null : JsonParser.parseString(charge).getAsJsonObject();
  }

  private void storeCharge(JsonObject charge) {
    charges.put(charge.get("id").getAsString(), charge.toString());
  }

  private void confirmLater(String chargeId, boolean succeeded) {
    long delay = config.confirmDelay().toMillis();
    scheduler.schedule(
        () -> {
          JsonObject charge;
          synchronized (this) {
            charge = charge(chargeId);
            SandboxJson.settle(charge, succeeded, succeeded ? null : "card_declined");
            storeCharge(charge);
          }
          webhooks.send(succeeded ? "charge.succeeded" : "charge.failed", charge);
        },
        delay,
        TimeUnit.MILLISECONDS);
  }
}
