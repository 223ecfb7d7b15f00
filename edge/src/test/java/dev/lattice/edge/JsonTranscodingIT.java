package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The google.api.http mapping served as JSON, against a real inventory upstream. */
@Timeout(180)
class JsonTranscodingIT {

  private static EdgeHarness harness;
  private static Http http;

  @BeforeAll
  static void start() {
    harness = new EdgeHarness();
    http = harness.http;
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  private static JsonObject create(String sku) {
    Http.Response created =
        http.send(
            "POST",
            "/v1/products",
            "{\"sku\":\""
                + sku
                + "\",\"name\":\"Widget "
                + sku
                + "\",\"priceAmountMinor\":\"1250\","
                + "\"currency\":\"EUR\",\"initialStock\":\"5\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    return created.json();
  }

  @Test
  void post_createsProduct_answersProtobufJson() {
    JsonObject body = create("A-100");

    JsonObject product = body.getAsJsonObject("product");
    assertThat(product.get("sku").getAsString()).isEqualTo("A-100");
    // int64 as a string, lowerCamelCase names, default values left out: protobuf JSON.
    assertThat(product.get("priceAmountMinor").getAsString()).isEqualTo("1250");
    assertThat(product.has("deleteTime")).isFalse();
    assertThat(product.get("createTime").getAsString()).endsWith("Z");
    assertThat(body.getAsJsonObject("stock").get("available").getAsString()).isEqualTo("5");
  }

  @Test
  void get_pathVariable_reachesTheRequestField() {
    String id = create("B-200").getAsJsonObject("product").get("id").getAsString();

    Http.Response got = http.get("/v1/products/" + id);

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.header("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(got.json().getAsJsonObject("product").get("id").getAsString()).isEqualTo(id);
    assertThat(got.header("grpc-encoding")).isEmpty();
    assertThat(got.header("grpc-status")).isEmpty();
  }

  @Test
  void get_queryParameters_snakeAndCamelCase_reachTheRequest() {
    create("Q-1");
    create("Q-2");
    create("Q-3");

    Http.Response snake = http.get("/v1/products?page_size=2&sku_prefix=Q-&show_deleted=true");
    assertThat(snake.status()).as(snake.body()).isEqualTo(200);
    assertThat(harness.inventoryService.lastList.getPageSize()).isEqualTo(2);
    assertThat(harness.inventoryService.lastList.getSkuPrefix()).isEqualTo("Q-");
    assertThat(harness.inventoryService.lastList.getShowDeleted()).isTrue();
    assertThat(snake.json().getAsJsonArray("products")).hasSize(2);
    assertThat(snake.json().get("nextPageToken").getAsString()).isEqualTo("after-Q-2");

    Http.Response camel = http.get("/v1/products?pageSize=1&skuPrefix=Q-3");
    assertThat(camel.status()).isEqualTo(200);
    assertThat(harness.inventoryService.lastList.getPageSize()).isEqualTo(1);
    assertThat(
            camel
                .json()
                .getAsJsonArray("products")
                .get(0)
                .getAsJsonObject()
                .get("sku")
                .getAsString())
        .isEqualTo("Q-3");
  }

  @Test
  void patch_bodyAndPathVariable_updateTheProduct() {
    String id = create("C-300").getAsJsonObject("product").get("id").getAsString();

    Http.Response patched =
        http.send(
            "PATCH",
            "/v1/products/" + id,
            "{\"version\":\"1\",\"product\":{\"name\":\"Renamed\"},\"updateMask\":\"name\"}");

    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    JsonObject product = patched.json().getAsJsonObject("product");
    assertThat(product.get("name").getAsString()).isEqualTo("Renamed");
    assertThat(product.get("version").getAsString()).isEqualTo("2");
  }

  @Test
  void delete_withQueryParameter_deletesTheProduct() {
    String id = create("D-400").getAsJsonObject("product").get("id").getAsString();

    Http.Response stale = http.send("DELETE", "/v1/products/" + id + "?version=7", null);
    assertThat(stale.status()).isEqualTo(409);

    Http.Response deleted = http.send("DELETE", "/v1/products/" + id + "?version=1", null);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().getAsJsonObject("product").has("deleteTime")).isTrue();
  }

  @Test
  void unknownQueryParameter_isInvalidArgumentNamingIt() {
    Http.Response answer = http.get("/v1/products?page_size=2&colour=red");

    assertThat(answer.status()).isEqualTo(400);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(3);
    assertThat(body.get("message").getAsString()).contains("'colour'");
    JsonObject info = body.getAsJsonArray("details").get(0).getAsJsonObject();
    assertThat(info.get("@type").getAsString())
        .isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(info.get("reason").getAsString()).isEqualTo("UNKNOWN_QUERY_PARAMETER");
    JsonObject badRequest = body.getAsJsonArray("details").get(1).getAsJsonObject();
    assertThat(badRequest.get("@type").getAsString())
        .isEqualTo("type.googleapis.com/google.rpc.BadRequest");
    assertThat(
            badRequest
                .getAsJsonArray("fieldViolations")
                .get(0)
                .getAsJsonObject()
                .get("field")
                .getAsString())
        .isEqualTo("colour");
  }

  @Test
  void malformedJson_isBadRequestAsJson() {
    Http.Response answer = http.send("POST", "/v1/products", "{\"sku\": ");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.header("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(3);
    assertThat(body.get("message").getAsString()).isEqualTo("malformed JSON request body");
    assertThat(answer.header("x-request-id")).isPresent();
  }

  @Test
  void unknownBodyField_isInvalidArgument() {
    Http.Response answer =
        http.send("POST", "/v1/products", "{\"sku\":\"X-1\",\"colour\":\"red\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("code").getAsInt()).isEqualTo(3);
    assertThat(answer.json().get("message").getAsString()).contains("colour");
    assertThat(
            answer
                .json()
                .getAsJsonArray("details")
                .get(0)
                .getAsJsonObject()
                .get("reason")
                .getAsString())
        .isEqualTo("MALFORMED_REQUEST");
  }

  @Test
  void wrongQueryValueType_isBadRequestAsJson() {
    Http.Response answer = http.get("/v1/products?page_size=many");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("code").getAsInt()).isEqualTo(3);
  }

  @Test
  void unknownPath_isNotFoundAsJson() {
    Http.Response answer = http.get("/v1/nothing/here");

    assertThat(answer.status()).isEqualTo(404);
    JsonObject body = answer.json();
    assertThat(body.get("code").getAsInt()).isEqualTo(5);
    assertThat(body.getAsJsonArray("details").get(0).getAsJsonObject().get("reason").getAsString())
        .isEqualTo("ROUTE_NOT_FOUND");
  }

  @Test
  void knownPathWithAnotherMethod_isNotFoundAsJson() {
    Http.Response answer = http.send("PUT", "/v1/products", "{}");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.json().get("code").getAsInt()).isEqualTo(5);
  }

  @Test
  void everyLatticeServiceIsMapped_notOnlyInventory() {
    // Payments is down in this harness: reaching it at all proves its route exists.
    Http.Response payments = http.get("/v1/payments/3f1c2a8e-0000-4000-8000-000000000001");
    assertThat(payments.status()).isEqualTo(503);

    Http.Response orders = http.get("/v1/orders?page_size=1");
    assertThat(orders.status()).isNotEqualTo(404);
  }
}
