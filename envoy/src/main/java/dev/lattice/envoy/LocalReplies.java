package dev.lattice.envoy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.HeaderFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replies Envoy makes itself (401 from jwt_authn, 404 and 400 from the transcoder's request
 * validation, 413 for a body over the cap, 429 from the rate limiter, 503 when no healthy upstream
 * is left, ...) get the body every Lattice error has: a JSON {@code google.rpc.Status}, {@code
 * {"code": <gRPC code>, "message": "<Envoy's reason>"}}, served as application/json.
 *
 * <p>Native gRPC requests are left alone: Envoy answers them with {@code grpc-status} and puts the
 * body into {@code grpc-message}, where a JSON document would only get in the way. gRPC-Web
 * requests refused before the gRPC-Web filter ran are plain HTTP to the browser and get JSON.
 */
final class LocalReplies {
  /** The gRPC code a local reply's HTTP status stands for, as the transcoder maps them back. */
  static final Map<Integer, Integer> GRPC_CODE_BY_STATUS = grpcCodes();

  /** gRPC UNKNOWN, for any local reply status not in the table. */
  static final int UNKNOWN = 2;

  /** content-type of native gRPC ({@code application/grpc}, {@code +proto}, {@code ;params}). */
  static final String NATIVE_GRPC_CONTENT_TYPE = "application/grpc([+;].*)?";

  private LocalReplies() {}

  static LocalReplyConfig build() {
    LocalReplyConfig.Builder config = LocalReplyConfig.newBuilder();
    GRPC_CODE_BY_STATUS.forEach(
        (status, code) ->
            config.addMappers(
                ResponseMapper.newBuilder()
                    .setFilter(
                        AccessLogFilter.newBuilder()
                            .setAndFilter(
                                AndFilter.newBuilder()
                                    .addFilters(statusIs(status))
                                    .addFilters(notNativeGrpc())))
                    .setBodyFormatOverride(statusBody(code))));
    config.addMappers(
        ResponseMapper.newBuilder()
            .setFilter(notNativeGrpc())
            .setBodyFormatOverride(statusBody(UNKNOWN)));
    return config.build();
  }

  private static AccessLogFilter statusIs(int status) {
    return AccessLogFilter.newBuilder()
        .setStatusCodeFilter(
            StatusCodeFilter.newBuilder()
                .setComparison(
                    ComparisonFilter.newBuilder()
                        .setOp(ComparisonFilter.Op.EQ)
                        .setValue(
                            RuntimeUInt32.newBuilder()
                                .setDefaultValue(status)
                                .setRuntimeKey("lattice.local_reply.status_" + status))))
        .build();
  }

  private static AccessLogFilter notNativeGrpc() {
    return AccessLogFilter.newBuilder()
        .setHeaderFilter(
            HeaderFilter.newBuilder()
                .setHeader(
                    HeaderMatcher.newBuilder()
                        .setName("content-type")
                        .setStringMatch(
                            StringMatcher.newBuilder()
                                .setSafeRegex(Matchers.regex(NATIVE_GRPC_CONTENT_TYPE)))
                        .setInvertMatch(true)
                        .setTreatMissingHeaderAsEmpty(true)))
        .build();
  }

  private static SubstitutionFormatString statusBody(int grpcCode) {
    Struct body =
        Struct.newBuilder()
            .putFields("code", Value.newBuilder().setNumberValue(grpcCode).build())
            .putFields("message", Value.newBuilder().setStringValue("%LOCAL_REPLY_BODY%").build())
            .build();
    return SubstitutionFormatString.newBuilder()
        .setJsonFormat(body)
        .setContentType("application/json")
        .build();
  }

  private static Map<Integer, Integer> grpcCodes() {
    Map<Integer, Integer> codes = new LinkedHashMap<>();
    codes.put(400, 3); // INVALID_ARGUMENT: unknown query parameter, malformed JSON
    codes.put(401, 16); // UNAUTHENTICATED: missing or invalid token
    codes.put(403, 7); // PERMISSION_DENIED: token for another audience, origin not allowed
    codes.put(404, 5); // NOT_FOUND: no method at this path
    codes.put(413, 8); // RESOURCE_EXHAUSTED: body over the cap
    codes.put(429, 8); // RESOURCE_EXHAUSTED: rate limited
    codes.put(500, 13); // INTERNAL
    codes.put(502, 14); // UNAVAILABLE: upstream reset or refused
    codes.put(503, 14); // UNAVAILABLE: no healthy upstream, overflow
    codes.put(504, 4); // DEADLINE_EXCEEDED: upstream timeout
    return Collections.unmodifiableMap(codes);
  }
}
