package dev.lattice.sandbox;

import com.google.gson.JsonObject;

/**
 * One HTTP answer of the sandbox: a status and a JSON body.
 *
 * @param status the HTTP status
 * @param body the JSON body; errors are {@code {"error": {"type", "code", "message"}}}
 */
record SandboxReply(int status, JsonObject body) {

  static SandboxReply ok(JsonObject body) {
    return new SandboxReply(200, body);
  }

  static SandboxReply error(int status, String type, String code, String message) {
    JsonObject error = new JsonObject();
    error.addProperty("type", type);
    error.addProperty("code", code);
    error.addProperty("message", message);
    JsonObject body = new JsonObject();
    body.add("error", error);
    return new SandboxReply(status, body);
  }
}
