package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

/**
 * A browser's view of Lattice: JSON over HTTP/1.1 through an edge (the local edge or Envoy), with a
 * real {@link HttpClient}. Records every status it sees per call, so a suite can print the HTTP
 * status table it observed. Thread-safe.
 */
final class JsonApi {

  /** What no error body may contain: stack frames, class names, SQL. */
  private static final Pattern INTERNALS =
      Pattern.compile(
          "(?i)(\\bat [a-z]+\\.[a-z]+\\.|exception|\\bjava\\.|\\bio\\.grpc\\b|\\bdev\\.lattice\\.|"
              + "\\bselect\\b.+\\bfrom\\b|\\binsert into\\b|\\bupdate\\b.+\\bset\\b|org\\.jooq|postgres)");

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Map<String, String> observed = new ConcurrentSkipListMap<>();

  JsonApi(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  String baseUrl() {
    return baseUrl;
  }

  /** One answer: status, headers and the body parsed as JSON (JsonNull when empty). */
  record Reply(int status, HttpResponse<String> raw, JsonElement json) {

    JsonObject body() {
      assertThat(json.isJsonObject()).as("a JSON object body, got %s", raw.body()).isTrue();
      return json.getAsJsonObject();
    }

    Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }

    /** The {@code ErrorInfo} detail of an error body. */
    JsonObject errorInfo() {
      return detail("type.googleapis.com/google.rpc.ErrorInfo")
          .orElseThrow(() -> new AssertionError("no ErrorInfo in " + raw.body()));
    }

    String reason() {
      return errorInfo().get("reason").getAsString();
    }

    Optional<JsonObject> detail(String type) {
      JsonArray details =
          body().has("details") ? body().getAsJsonArray("details") : new JsonArray();
      for (JsonElement d : details) {
        if (d.getAsJsonObject().has("@type")
            && d.getAsJsonObject().get("@type").getAsString().equals(type)) {
          return Optional.of(d.getAsJsonObject());
        }
      }
      return Optional.empty();
    }

    /** The field paths of the {@code BadRequest} field violations. */
    java.util.List<String> violatedFields() {
      JsonObject badRequest =
          detail("type.googleapis.com/google.rpc.BadRequest")
              .orElseThrow(() -> new AssertionError("no BadRequest in " + raw.body()));
      java.util.List<String> fields = new java.util.ArrayList<>();
      for (JsonElement v : badRequest.getAsJsonArray("fieldViolations")) {
        fields.add(v.getAsJsonObject().get("field").getAsString());
      }
      return fields;
    }
  }

  /** A request in the making. */
  final class Call {
    private final String method;
    private final String path;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;
    private String label;

    private Call(String method, String path) {
      this.method = method;
      this.path = path;
      this.label = method + " " + path.replaceAll("\\?.*", "");
    }

    Call bearer(String token) {
      return header("Authorization", "Bearer " + token);
    }

    Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Call json(JsonElement value) {
      return body(value.toString());
    }

    Call body(String raw) {
      this.body = raw;
      return this;
    }

    /** How the call is named in the observed status table. */
    Call as(String label) {
      this.label = label;
      return this;
    }

    Reply send() {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
      headers.forEach(request::header);
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new AssertionError(label + ": no answer from " + baseUrl + path, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(label + " interrupted", e);
      }
      JsonElement json;
      try {
        json =
            response.body().isBlank()
                ? com.google.gson.JsonNull.INSTANCE
                : JsonParser.parseString(response.body());
      } catch (JsonParseException e) {
        throw new AssertionError(
            label + ": the body is not JSON (" + response.statusCode() + "): " + response.body());
      }
      Reply reply = new Reply(response.statusCode(), response, json);
      observed.merge(
          label, Integer.toString(reply.status()), (a, b) -> a.contains(b) ? a : a + ", " + b);
      if (reply.status() >= 400) {
        assertErrorShape(label, reply);
      }
      return reply;
    }

    /** Sends and asserts the status. */
    Reply expect(int status) {
      Reply reply = send();
      assertThat(reply.status()).as("%s answered %s", label, reply.raw().body()).isEqualTo(status);
      return reply;
    }
  }

  Call get(String path) {
    return new Call("GET", path);
  }

  Call post(String path) {
    return new Call("POST", path);
  }

  Call patch(String path) {
    return new Call("PATCH", path);
  }

  Call delete(String path) {
    return new Call("DELETE", path);
  }

  Call options(String path) {
    return new Call("OPTIONS", path);
  }

  /** The statuses seen per call label, in label order. */
  Map<String, String> observed() {
    return Map.copyOf(observed);
  }

  /**
   * An error body is a JSON {@code google.rpc.Status}: a numeric {@code code}, a {@code message},
   * and nothing internal anywhere in it.
   */
  private static void assertErrorShape(String label, Reply reply) {
    assertThat(reply.json().isJsonObject())
        .as("%s: error body is a JSON object: %s", label, reply.raw().body())
        .isTrue();
    JsonObject body = reply.json().getAsJsonObject();
    assertThat(body.has("code") && body.get("code").getAsJsonPrimitive().isNumber())
        .as("%s: numeric code in %s", label, reply.raw().body())
        .isTrue();
    assertThat(body.has("message")).as("%s: message in %s", label, reply.raw().body()).isTrue();
    assertThat(reply.header("content-type").orElse(""))
        .as("%s: content type", label)
        .startsWith("application/json");
    assertThat(INTERNALS.matcher(reply.raw().body()).find())
        .as("%s: nothing internal in %s", label, reply.raw().body())
        .isFalse();
  }
}
