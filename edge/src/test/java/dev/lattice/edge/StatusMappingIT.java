package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.grpc.Status;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every gRPC status a service answers, as a JSON caller sees it through the edge: Envoy's HTTP
 * status, and the service's {@code google.rpc.Status} with all its details as the body.
 */
@Timeout(180)
class StatusMappingIT {

  /** Envoy's grpc_json_transcoder table (google/rpc/code.proto), written out independently. */
  private static final Map<Status.Code, Integer> ENVOY_HTTP_STATUS =
      Map.ofEntries(
          Map.entry(Status.Code.CANCELLED, 499),
          Map.entry(Status.Code.UNKNOWN, 500),
          Map.entry(Status.Code.INVALID_ARGUMENT, 400),
          Map.entry(Status.Code.DEADLINE_EXCEEDED, 504),
          Map.entry(Status.Code.NOT_FOUND, 404),
          Map.entry(Status.Code.ALREADY_EXISTS, 409),
          Map.entry(Status.Code.PERMISSION_DENIED, 403),
          Map.entry(Status.Code.RESOURCE_EXHAUSTED, 429),
          Map.entry(Status.Code.FAILED_PRECONDITION, 400),
          Map.entry(Status.Code.ABORTED, 409),
          Map.entry(Status.Code.OUT_OF_RANGE, 400),
          Map.entry(Status.Code.UNIMPLEMENTED, 501),
          Map.entry(Status.Code.INTERNAL, 500),
          Map.entry(Status.Code.UNAVAILABLE, 503),
          Map.entry(Status.Code.DATA_LOSS, 500),
          Map.entry(Status.Code.UNAUTHENTICATED, 401));

  private static EdgeHarness harness;

  @BeforeAll
  static void start() {
    harness = new EdgeHarness();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static Stream<Arguments> codes() {
    return ENVOY_HTTP_STATUS.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("codes")
  void serviceError_hasEnvoysHttpStatus_andItsDetailsAsJson(Status.Code code, int httpStatus) {
    Http.Response answer = harness.http.get("/v1/products/fail-" + code.name());

    assertThat(answer.status()).isEqualTo(httpStatus);
    assertThat(answer.header("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(code.value());
    assertThat(body.get("message").getAsString()).isEqualTo("failure " + code);
    assertThat(body.keySet()).containsExactlyInAnyOrder("code", "message", "details");
    JsonObject info = detail(body, "google.rpc.ErrorInfo");
    assertThat(info.get("reason").getAsString()).isEqualTo("TEST_" + code);
    assertThat(info.get("domain").getAsString()).isEqualTo("lattice.dev");
    assertThat(info.getAsJsonObject("metadata").get("code").getAsString()).isEqualTo(code.name());
    if (code == Status.Code.INVALID_ARGUMENT) {
      JsonObject badRequest = detail(body, "google.rpc.BadRequest");
      assertThat(
              badRequest
                  .getAsJsonArray("fieldViolations")
                  .get(0)
                  .getAsJsonObject()
                  .get("field")
                  .getAsString())
          .isEqualTo("product_id");
    }
    if (InventoryFixture.retryable(code)) {
      assertThat(detail(body, "google.rpc.RetryInfo").get("retryDelay").getAsString())
          .isEqualTo("3s");
      assertThat(answer.header("retry-after")).hasValue("3");
    }
    assertThat(answer.header("x-request-id")).isPresent();
  }

  @Test
  void errorWithoutDetails_ofATransportCode_showsNoInternals() {
    Http.Response answer = harness.http.get("/v1/products/bare-INTERNAL");

    assertThat(answer.status()).isEqualTo(500);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(13);
    assertThat(body.get("message").getAsString()).isEqualTo("internal error");
    assertThat(answer.body()).doesNotContain("Exception", "com.example", "Secret.java");
  }

  @Test
  void errorWithoutDetails_ofADeliberateCode_keepsTheServicesMessage() {
    Http.Response answer = harness.http.get("/v1/products/bare-PERMISSION_DENIED");

    assertThat(answer.status()).isEqualTo(403);
    // A deliberate code passes untouched, as Envoy passes it: the service chose the message.
    assertThat(answer.json().get("code").getAsInt()).isEqualTo(7);
  }

  @Test
  void upstreamDown_isServiceUnavailableAsJson() {
    Http.Response answer = harness.http.get("/v1/payments/3f1c2a8e-0000-4000-8000-000000000001");

    assertThat(answer.status()).isEqualTo(503);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(14);
    assertThat(body.get("message").getAsString()).isEqualTo("the payments service is unavailable");
    assertThat(detail(body, "google.rpc.ErrorInfo").get("reason").getAsString())
        .isEqualTo("UPSTREAM_UNAVAILABLE");
    assertThat(answer.body()).doesNotContain("Exception", "io.grpc", "127.0.0.1");
  }

  private static JsonObject detail(JsonObject body, String type) {
    JsonArray details = body.getAsJsonArray("details");
    for (JsonElement detail : details) {
      JsonObject object = detail.getAsJsonObject();
      if (object.get("@type").getAsString().equals("type.googleapis.com/" + type)) {
        return object;
      }
    }
    throw new AssertionError("no " + type + " in " + body);
  }
}
