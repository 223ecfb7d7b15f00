package dev.lattice.envoy;

import com.google.protobuf.Value;
import dev.lattice.envoy.RequestMatcher.Request;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the local replies: for a JSON caller, each reply Envoy makes itself gets a JSON
 * google.rpc.Status body whose code is the gRPC code of its HTTP status; a native gRPC caller's
 * replies are left to Envoy's gRPC form (no mapper applies). Mappers are evaluated in order, the
 * first whose filter matches wins, as Envoy does.
 */
final class LocalReplyCheck {
  /** HTTP status of a local reply and the google.rpc.Code its body must carry. */
  static final Map<Integer, Integer> EXPECTED =
      Map.of(
          400, 3, // INVALID_ARGUMENT: unknown query parameter
          401, 16, // UNAUTHENTICATED: jwt_authn
          404, 5, // NOT_FOUND: unknown method
          413, 8, // RESOURCE_EXHAUSTED: body too large
          429, 8, // RESOURCE_EXHAUSTED: rate limited
          503, 14); // UNAVAILABLE: no healthy upstream

  private LocalReplyCheck() {}

  static void check(HttpConnectionManager manager, List<String> problems) {
    LocalReplyConfig config = manager.getLocalReplyConfig();
    Request json = Request.json("POST", "/v1/orders");
    Request bodiless = new Request("GET", "/v1/orders", Map.of());
    Request grpc = Request.grpc("/lattice.orders.v1.OrdersService/CreateOrder");
    EXPECTED.forEach(
        (status, code) -> {
          Optional<SubstitutionFormatString> format = format(config, json, status);
          if (format.isEmpty() || !format.get().hasJsonFormat()) {
            problems.add("a local " + status + " reply to a JSON caller gets no JSON body");
            return;
          }
          Map<String, Value> body = format.get().getJsonFormat().getFieldsMap();
          Value actualCode = body.get("code");
          Value message = body.get("message");
          if (actualCode == null || actualCode.getNumberValue() != code) {
            problems.add(
                "a local " + status + " reply carries code " + actualCode + ", expected " + code);
          }
          if (message == null || !message.getStringValue().contains("%LOCAL_REPLY_BODY%")) {
            problems.add(
                "a local "
                    + status
                    + " reply's message is not Envoy's reason (%LOCAL_REPLY_BODY%)");
          }
          if (!format.get().getContentType().equals("application/json")) {
            problems.add("a local " + status + " reply is not served as application/json");
          }
          if (!format(config, bodiless, status).equals(format)) {
            problems.add(
                "a local " + status + " reply to a request without content-type gets another body");
          }
          if (format(config, grpc, status).isPresent()) {
            problems.add(
                "a local " + status + " reply to a gRPC caller is rewritten; it must stay gRPC");
          }
        });
  }

  /** The body format applied to a local reply: the first matching mapper's, else the default. */
  private static Optional<SubstitutionFormatString> format(
      LocalReplyConfig config, Request request, int status) {
    for (ResponseMapper mapper : config.getMappersList()) {
      if (RequestMatcher.matches(mapper.getFilter(), request, status)) {
        return mapper.hasBodyFormatOverride()
            ? Optional.of(mapper.getBodyFormatOverride())
            : Optional.ofNullable(config.hasBodyFormat() ? config.getBodyFormat() : null);
      }
    }
    return Optional.ofNullable(config.hasBodyFormat() ? config.getBodyFormat() : null);
  }
}
