package dev.lattice.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.util.List;

/**
 * Reads envoy.yaml the strict way, independently of the generator: YAML to JSON, then proto3 JSON
 * into Envoy's own {@code envoy.config.bootstrap.v3.Bootstrap}, rejecting unknown fields, and
 * resolving every {@code @type} through a registry of the extension types an edge config may use
 * (an unknown or misspelt type fails like a misspelt field). {@link #violations} then applies the
 * validation rules Envoy enforces on load.
 */
final class StrictEnvoyConfig {
  /**
   * The typed_config (and per-filter config) types the edge may use, whether or not it does today.
   */
  static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(
              List.of(
                  HttpConnectionManager.getDescriptor(),
                  Cors.getDescriptor(),
                  CorsPolicy.getDescriptor(),
                  JwtAuthentication.getDescriptor(),
                  PerRouteConfig.getDescriptor(),
                  LocalRateLimit.getDescriptor(),
                  GrpcWeb.getDescriptor(),
                  GrpcJsonTranscoder.getDescriptor(),
                  Router.getDescriptor(),
                  HttpProtocolOptions.getDescriptor(),
                  StdoutAccessLog.getDescriptor(),
                  StderrAccessLog.getDescriptor(),
                  FileAccessLog.getDescriptor(),
                  OpenTelemetryConfig.getDescriptor(),
                  UuidRequestIdConfig.getDescriptor()))
          .build();

  private StrictEnvoyConfig() {}

  /**
   * Parses YAML text into a bootstrap.
   *
   * @throws InvalidProtocolBufferException for an unknown field, an unknown {@code @type} or a
   *     value of the wrong type
   * @throws IOException when the text is not YAML
   */
  static Bootstrap parse(String yaml) throws IOException {
    JsonNode tree = new YAMLMapper().readTree(yaml);
    String json = new ObjectMapper().writeValueAsString(tree);
    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, bootstrap);
    return bootstrap.build();
  }

  /** The validation rules of Envoy's protos that {@code bootstrap} breaks; empty when none. */
  static List<String> violations(Bootstrap bootstrap) {
    return PgvRules.violations(bootstrap, TYPES);
  }
}
