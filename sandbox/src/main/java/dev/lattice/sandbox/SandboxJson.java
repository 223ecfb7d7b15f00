package dev.lattice.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.UUID;

/**
 * The JSON of the sandbox's API: the checks of a charge request, the charge and refund objects as a
 * processor answers them, and a charge's answer. Stateless.
 */
final class SandboxJson {

  private SandboxJson() {}

  /** The 400 answer of an invalid charge request; null when it is valid. */
  static SandboxReply invalidCharge(JsonObject body) {
    if (!isLong(body.get("amount")) || body.get("amount").getAsLong() < 0) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_invalid", "amount");
    }
    if (!isString(body.get("currency"))
        || !body.get("currency").getAsString().matches("[A-Za-z]{3}")) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_invalid", "currency");
    }
    if (!isString(body.get("source"))) {
      return SandboxReply.error(400, "invalid_request_error", "parameter_missing", "source");
    }
    return null;
  }

  /** A new pending charge of the valid request {@code body}, made with {@code key}. */
  static JsonObject newCharge(String key, JsonObject body, long created) {
    JsonObject charge = new JsonObject();
    charge.addProperty("id", "ch_" + randomId());
    charge.addProperty("object", "charge");
    charge.addProperty("amount", body.get("amount").getAsLong());
    charge.addProperty("amount_refunded", 0L);
    charge.addProperty("refunded", false);
    charge.addProperty("currency", body.get("currency").getAsString().toLowerCase(Locale.ROOT));
    charge.addProperty("source", body.get("source").getAsString());
    charge.add("description", body.has("description") ? body.get("description") : null);
    charge.add(
        "metadata",
        body.has("metadata") && body.get("metadata").isJsonObject()
            ? body.get("metadata").deepCopy()
            : new JsonObject());
    charge.addProperty("status", "pending");
    charge.add("failure_code", JsonNull.INSTANCE);
    charge.add("failure_message", JsonNull.INSTANCE);
    charge.addProperty("idempotency_key", key);
    charge.addProperty("created", created);
    return charge;
  }

  /** Settles {@code charge}: succeeded, or failed with {@code failureCode} and its message. */
  static void settle(JsonObject charge, boolean succeeded, String failureCode) {
    charge.addProperty("status", succeeded ? "succeeded" : "failed");
    if (!succeeded) {
      charge.addProperty("failure_code", failureCode);
      charge.addProperty(
          "failure_message",
          switch (failureCode) {
            case "insufficient_funds" -> "Your card has insufficient funds.";
            default -> "Your card was declined.";
          });
    }
  }

  /** A succeeded refund of {@code amount} of {@code charge}, made with {@code key}. */
  static JsonObject newRefund(String key, JsonObject charge, long amount, long created) {
    JsonObject refund = new JsonObject();
    refund.addProperty("id", "re_" + randomId());
    refund.addProperty("object", "refund");
    refund.addProperty("amount", amount);
    refund.addProperty("currency", charge.get("currency").getAsString());
    refund.addProperty("charge", charge.get("id").getAsString());
    refund.addProperty("status", "succeeded");
    refund.addProperty("idempotency_key", key);
    refund.addProperty("created", created);
    return refund;
  }

  /** A charge's answer: 200 unless it failed, then 402 with the card error and the charge id. */
  static SandboxReply chargeReply(JsonObject charge) {
    if ("failed".equals(charge.get("status").getAsString())) {
      SandboxReply error =
          SandboxReply.error(
              402,
              "card_error",
              charge.get("failure_code").getAsString(),
              charge.get("failure_message").getAsString());
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

  private static String randomId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }
}
