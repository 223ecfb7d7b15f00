package dev.lattice.envoy;

import static dev.lattice.envoy.Matchers.any;
import static dev.lattice.envoy.Matchers.seconds;
import static dev.lattice.envoy.Matchers.uint32;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream clusters: one per deployable (named after it, {@code <name>:<gRPC port>}, HTTP/2,
 * actively health-checked over gRPC health on its own service name, ejected by outlier detection
 * after repeated failures), {@code identity_jwks} (identity's JWK Set over HTTP/1.1) and {@code
 * otel_collector} (OTLP over gRPC). Every address is a DNS name resolved continually (STRICT_DNS),
 * as compose service names are.
 */
final class Clusters {
  /** The cluster the tracer exports spans to. */
  static final String OTEL_CLUSTER = "otel_collector";

  /** The extension key under which a cluster takes its upstream HTTP protocol options. */
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final Contracts contracts;
  private final EdgeSettings settings;

  Clusters(Contracts contracts, EdgeSettings settings) {
    this.contracts = contracts;
    this.settings = settings;
  }

  List<Cluster> build() {
    List<String> deployables = contracts.clusters();
    for (String named : settings.grpcPorts().keySet()) {
      if (!deployables.contains(named)) {
        throw new IllegalArgumentException(
            "a gRPC port is set for '"
                + named
                + "', which the contracts do not have; deployables: "
                + deployables);
      }
    }
    List<Cluster> clusters = new ArrayList<>();
    for (String deployable : deployables) {
      clusters.add(grpcCluster(deployable));
    }
    clusters.add(
        base(HttpFilters.JWKS_CLUSTER, settings.jwksUri().getHost(), settings.jwksUri().getPort())
            .build());
    clusters.add(
        base(OTEL_CLUSTER, settings.otelHost(), settings.otelPort())
            .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, any(http2()))
            .build());
    return clusters;
  }

  private Cluster grpcCluster(String deployable) {
    return base(deployable, deployable, settings.portOf(deployable))
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, any(http2()))
        .addHealthChecks(
            HealthCheck.newBuilder()
                .setTimeout(seconds(2))
                .setInterval(seconds(5))
                .setNoTrafficInterval(seconds(10))
                .setUnhealthyThreshold(uint32(3))
                .setHealthyThreshold(uint32(1))
                .setGrpcHealthCheck(
                    HealthCheck.GrpcHealthCheck.newBuilder()
                        .setServiceName(contracts.ownedBy(deployable).fullName())))
        .setOutlierDetection(
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(uint32(5))
                .setConsecutiveGatewayFailure(uint32(3))
                .setEnforcingConsecutiveGatewayFailure(uint32(100))
                .setInterval(seconds(10))
                .setBaseEjectionTime(seconds(30)))
        .build();
  }

  private static Cluster.Builder base(String name, String host, int port) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STRICT_DNS)
        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_PREFERRED)
        .setConnectTimeout(seconds(2))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(
                            LbEndpoint.newBuilder()
                                .setEndpoint(
                                    Endpoint.newBuilder()
                                        .setAddress(
                                            Address.newBuilder()
                                                .setSocketAddress(
                                                    SocketAddress.newBuilder()
                                                        .setAddress(host)
                                                        .setPortValue(port)))))));
  }

  private static HttpProtocolOptions http2() {
    return HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build();
  }
}
