package dev.lattice.envoy;

import static dev.lattice.envoy.Matchers.any;
import static dev.lattice.envoy.Matchers.seconds;
import static dev.lattice.envoy.Matchers.yes;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.Tracing;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole Envoy bootstrap for the Lattice edge: admin on 0.0.0.0:9901 (inside the container, for
 * its health check), one listener on :8080 with one HTTP connection manager, and the clusters.
 * Pure: the same contracts and settings always give the same message.
 */
public final class EnvoyBootstrap {
  /** The listener's port, where browsers reach the JSON API and gRPC-Web. */
  public static final int LISTENER_PORT = 8080;

  /** The admin interface's port. */
  public static final int ADMIN_PORT = 9901;

  private EnvoyBootstrap() {}

  /** Builds the bootstrap from the contracts and the settings. */
  public static Bootstrap build(Contracts contracts, EdgeSettings settings) {
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("lattice_edge")
            .setCodecType(HttpConnectionManager.CodecType.AUTO)
            .setRouteConfig(new RouteTable(contracts, settings).build())
            .addAllHttpFilters(new HttpFilters(contracts, settings).build())
            .addAccessLog(accessLog())
            .setTracing(tracing())
            .setUseRemoteAddress(yes())
            .setGenerateRequestId(yes())
            .setPreserveExternalRequestId(true)
            .setAlwaysSetRequestIdInResponse(true)
            .setNormalizePath(yes())
            .setMergeSlashes(true)
            .setPathWithEscapedSlashesAction(
                HttpConnectionManager.PathWithEscapedSlashesAction.REJECT_REQUEST)
            .setLocalReplyConfig(LocalReplies.build())
            .build();

    Listener listener =
        Listener.newBuilder()
            .setName("lattice_http")
            .setAddress(address("0.0.0.0", LISTENER_PORT))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(any(manager))))
            .build();

    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId("lattice-edge").setCluster("lattice-edge"))
        .setAdmin(Admin.newBuilder().setAddress(address("0.0.0.0", ADMIN_PORT)))
        .setStaticResources(
            Bootstrap.StaticResources.newBuilder()
                .addListeners(listener)
                .addAllClusters(new Clusters(contracts, settings).build()))
        .build();
  }

  private static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  /**
   * One JSON line per request on stdout. For transcoded requests {@code x-envoy-original-path} and
   * {@code x-envoy-original-method} hold the HTTP path and method (the transcoder rewrites {@code
   * :path} to the gRPC one).
   */
  private static AccessLog accessLog() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("time", "%START_TIME%");
    fields.put("request_id", "%REQ(X-REQUEST-ID)%");
    fields.put("method", "%REQ(X-ENVOY-ORIGINAL-METHOD?:METHOD)%");
    fields.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
    fields.put("grpc_path", "%REQ(:PATH)%");
    fields.put("protocol", "%PROTOCOL%");
    fields.put("status", "%RESPONSE_CODE%");
    fields.put("grpc_status", "%GRPC_STATUS(NUMBER)%");
    fields.put("response_flags", "%RESPONSE_FLAGS%");
    fields.put("duration_ms", "%DURATION%");
    fields.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
    fields.put("upstream_host", "%UPSTREAM_HOST%");
    fields.put("traceparent", "%REQ(TRACEPARENT)%");
    fields.put("user_agent", "%REQ(USER-AGENT)%");
    fields.put("bytes_received", "%BYTES_RECEIVED%");
    fields.put("bytes_sent", "%BYTES_SENT%");
    Struct.Builder format = Struct.newBuilder();
    fields.forEach(
        (key, value) -> format.putFields(key, Value.newBuilder().setStringValue(value).build()));
    StdoutAccessLog stdout =
        StdoutAccessLog.newBuilder()
            .setLogFormat(SubstitutionFormatString.newBuilder().setJsonFormat(format))
            .build();
    return AccessLog.newBuilder()
        .setName("envoy.access_loggers.stdout")
        .setTypedConfig(any(stdout))
        .build();
  }

  /**
   * Every request traced through the OpenTelemetry tracer, which exports spans to the collector and
   * passes W3C {@code traceparent}/{@code tracestate} on to the services.
   */
  private static HttpConnectionManager.Tracing tracing() {
    OpenTelemetryConfig otel =
        OpenTelemetryConfig.newBuilder()
            .setGrpcService(
                GrpcService.newBuilder()
                    .setEnvoyGrpc(
                        GrpcService.EnvoyGrpc.newBuilder().setClusterName(Clusters.OTEL_CLUSTER))
                    .setTimeout(seconds(1)))
            .setServiceName("lattice-envoy")
            .build();
    return HttpConnectionManager.Tracing.newBuilder()
        .setRandomSampling(Percent.newBuilder().setValue(100))
        .setProvider(
            Tracing.Http.newBuilder()
                .setName("envoy.tracers.opentelemetry")
                .setTypedConfig(any(otel)))
        .build();
  }
}
