package dev.lattice.envoy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Map;

/**
 * Prints a bootstrap as envoy.yaml: proto3 JSON with the proto field names (Envoy's documented
 * spelling, {@code stat_prefix} not {@code statPrefix}) turned into YAML. Every string value is
 * double-quoted, so no value can change type on the way into Envoy's YAML reader (which would read
 * an unquoted {@code 1} or {@code on} as a number or a boolean).
 */
public final class EnvoyYaml {
  /** Every message the config packs into an {@code Any} ({@code typed_config} and the like). */
  public static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Cors.getDescriptor())
          .add(CorsPolicy.getDescriptor())
          .add(JwtAuthentication.getDescriptor())
          .add(LocalRateLimit.getDescriptor())
          .add(GrpcWeb.getDescriptor())
          .add(GrpcJsonTranscoder.getDescriptor())
          .add(Router.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(StdoutAccessLog.getDescriptor())
          .add(OpenTelemetryConfig.getDescriptor())
          .build();

  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private EnvoyYaml() {}

  /**
   * The YAML text of {@code bootstrap} after {@code header} (comment lines, each starting with
   * {@code #}, ending with a newline).
   *
   * @throws IllegalStateException when the bootstrap packs a type missing from {@link #TYPES}
   */
  public static String print(Bootstrap bootstrap, String header) {
    try {
      String json =
          JsonFormat.printer()
              .usingTypeRegistry(TYPES)
              .preservingProtoFieldNames()
              .print(bootstrap);
      JsonNode tree = readable(new ObjectMapper().readTree(json));
      return header + YAML.writeValueAsString(tree);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot print the bootstrap: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the printed tree easier to read without changing what it means: {@code 100.0} (how proto3
   * JSON prints {@code double} and {@code Struct} numbers) becomes {@code 100}, and a {@code name}
   * moves to the top of its object so each route, filter and cluster starts with it.
   */
  private static JsonNode readable(JsonNode node) {
    if (node.isDouble()
        && node.doubleValue() == Math.rint(node.doubleValue())
        && Math.abs(node.doubleValue()) < 1e15) {
      return JsonNodeFactory.instance.numberNode((long) node.doubleValue());
    }
    if (node instanceof ObjectNode object) {
      ObjectNode ordered = JsonNodeFactory.instance.objectNode();
      if (object.has("name")) {
        ordered.set("name", readable(object.get("name")));
      }
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        if (!ordered.has(field.getKey())) {
          ordered.set(field.getKey(), readable(field.getValue()));
        }
      }
      return ordered;
    }
    if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, readable(array.get(i)));
      }
    }
    return node;
  }
}
