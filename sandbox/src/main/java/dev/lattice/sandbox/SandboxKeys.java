package dev.lattice.sandbox;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.Map;

/**
 * The sandbox's idempotency keys: one answer per key and kind of request. A repeat with the same
 * body gets the stored answer, a different body 409 {@code idempotency_key_reused}, a repeat while
 * the first is still running 409 {@code request_in_progress}; a key whose answer was not stored
 * (5xx) stays usable. Requests and answers are kept as JSON text, parsed again only for a repeat:
 * as Gson trees they took ten times the room, and a long benchmark's keys filled most of the heap
 * the services share with the sandbox in {@code ./mesh up}. Not thread-safe: {@link SandboxLedger}
 * uses it under its lock.
 */
final class SandboxKeys {

  private final Map<String, Entry> entries = new HashMap<>();

  /** The state of one idempotency key. */
  static final class Entry {
    private final String request;
    int attempts;
    boolean inProgress;
    private int replyStatus;
    private String replyBody;

    Entry(JsonObject request) {
      this.request = request.toString();
    }

    /** Keeps {@code reply} as the key's answer and returns a copy of it to send. */
    SandboxReply answer(SandboxReply reply) {
      replyStatus = reply.status();
      replyBody = reply.body().toString();
      return answer();
    }

    /** A fresh copy of the stored answer, or null while there is none. */
    SandboxReply answer() {
      return replyBody == null
          ? null
          : new SandboxReply(replyStatus, JsonParser.parseString(replyBody).getAsJsonObject());
    }

    boolean sameRequest(JsonObject body) {
      return JsonParser.parseString(request).equals(body);
    }
  }

  /**
   * The idempotency check of a new request: an answer when the key decides it (a replay or a 409),
   * or null after recording one more attempt of the key.
   */
  SandboxReply claim(String scopedKey, JsonObject body) {
    Entry entry = entries.get(scopedKey);
    if (entry == null) {
      entry = new Entry(body);
      entries.put(scopedKey, entry);
    } else if (!entry.sameRequest(body)) {
      return SandboxReply.error(
          409,
          "idempotency_error",
          "idempotency_key_reused",
          "the key was used with another request body");
    } else if (entry.inProgress) {
      return SandboxReply.error(
          409,
          "idempotency_error",
          "request_in_progress",
          "a request with this key is still being processed");
    } else if (entry.replyBody != null) {
      return entry.answer();
    }
    entry.attempts++;
    return null;
  }

  /** The entry of {@code scopedKey}, after {@link #claim} recorded it. */
  Entry entry(String scopedKey) {
    return entries.get(scopedKey);
  }
}
