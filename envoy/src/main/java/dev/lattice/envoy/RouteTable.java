package dev.lattice.envoy;

import static dev.lattice.envoy.Matchers.any;
import static dev.lattice.envoy.Matchers.millis;
import static dev.lattice.envoy.Matchers.seconds;
import static dev.lattice.envoy.Matchers.uint32;

import dev.lattice.envoy.Contracts.ApiService;
import dev.lattice.envoy.Contracts.HttpBinding;
import dev.lattice.envoy.Contracts.Rpc;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The route table: one virtual host for every domain, holding the CORS policy and, in order,
 *
 * <ol>
 *   <li>a route for every {@code OPTIONS} request, so the CORS filter (which reads its policy
 *       through the matched route) finds one for preflights of JSON paths too;
 *   <li>a route per HTTP binding of every RPC (method and path; the shared services' bindings once
 *       per deployable with {@code {service}} fixed), matched against the incoming path because the
 *       transcoder runs with {@code match_incoming_request_route};
 *   <li>a route per gRPC service path for gRPC and gRPC-Web callers (shared services: one per
 *       deployable, selected by the {@code lattice-service} header).
 * </ol>
 *
 * <p>Every route has the deadline from the settings; only GET routes retry, and only on {@code
 * unavailable}, because only they are known to be safe to repeat.
 */
final class RouteTable {
  /** The CORS filter's name, under which the virtual host carries its policy. */
  static final String CORS_FILTER = "envoy.filters.http.cors";

  static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String ALLOWED_HEADERS =
      String.join(
          ", ",
          List.of(
              "authorization",
              "content-type",
              "idempotency-key",
              "x-request-id",
              "traceparent",
              "tracestate",
              "x-grpc-web",
              "x-user-agent",
              "grpc-timeout",
              "connect-protocol-version",
              "lattice-service"));
  static final String EXPOSED_HEADERS =
      String.join(
          ", ",
          List.of(
              "grpc-status",
              "grpc-message",
              "grpc-status-details-bin",
              "x-request-id",
              "retry-after",
              "idempotency-replayed"));
  private static final String MAX_AGE_SECONDS = "3600";
  private static final int GET_RETRIES = 2;

  private final Contracts contracts;
  private final EdgeSettings settings;

  RouteTable(Contracts contracts, EdgeSettings settings) {
    this.contracts = contracts;
    this.settings = settings;
  }

  RouteConfiguration build() {
    VirtualHost.Builder host =
        VirtualHost.newBuilder()
            .setName("lattice")
            .addDomains("*")
            .putTypedPerFilterConfig(CORS_FILTER, any(corsPolicy()));
    host.addRoutes(
        Route.newBuilder()
            .setName("cors-preflight")
            .setMatch(Matchers.anyPath("OPTIONS"))
            // Reached only by preflights the CORS filter did not answer (an origin not allowed).
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(403)));
    for (ApiService service : contracts.services()) {
      host.addAllRoutes(httpRoutes(service));
    }
    for (ApiService service : contracts.services()) {
      host.addAllRoutes(grpcRoutes(service));
    }
    return RouteConfiguration.newBuilder().setName("lattice").addVirtualHosts(host).build();
  }

  /** A route per HTTP binding; a shared service's once per deployable, {@code {service}} fixed. */
  private List<Route> httpRoutes(ApiService service) {
    List<Route> routes = new ArrayList<>();
    for (Rpc rpc : service.rpcs()) {
      for (int i = 0; i < rpc.bindings().size(); i++) {
        HttpBinding binding = rpc.bindings().get(i);
        String name = rpc.grpcPath().substring(1) + (i == 0 ? "" : " #" + (i + 1));
        boolean get = binding.method().equals("GET");
        if (service.shared()) {
          for (String cluster : contracts.clusters()) {
            Map<String, String> bound = Map.of(Contracts.SELECTOR_VARIABLE, cluster);
            routes.add(route(name + " @" + cluster, Matchers.http(binding, bound), cluster, get));
          }
        } else {
          routes.add(
              route(name, Matchers.http(binding, Map.of()), service.owner().orElseThrow(), get));
        }
      }
    }
    return routes;
  }

  /** The gRPC routes of a service: its path prefix; a shared service's once per deployable. */
  private List<Route> grpcRoutes(ApiService service) {
    if (!service.shared()) {
      return List.of(
          grpcRoute(
              service.fullName(),
              Matchers.grpcService(service.grpcPrefix()),
              service.owner().orElseThrow()));
    }
    List<Route> routes = new ArrayList<>();
    for (String cluster : contracts.clusters()) {
      routes.add(
          grpcRoute(
              service.fullName() + " @" + cluster,
              Matchers.grpcService(service.grpcPrefix(), cluster),
              cluster));
    }
    return routes;
  }

  private Route route(String name, RouteMatch match, String cluster, boolean retryUnavailable) {
    RouteAction.Builder action =
        RouteAction.newBuilder()
            .setCluster(cluster)
            .setTimeout(seconds(settings.routeTimeoutSeconds()));
    if (retryUnavailable) {
      action.setRetryPolicy(
          RetryPolicy.newBuilder()
              .setRetryOn("unavailable")
              .setNumRetries(uint32(GET_RETRIES))
              .setRetryBackOff(
                  RetryPolicy.RetryBackOff.newBuilder()
                      .setBaseInterval(millis(100))
                      .setMaxInterval(seconds(1))));
    }
    return Route.newBuilder().setName(name).setMatch(match).setRoute(action).build();
  }

  /**
   * A gRPC route: the same deadline, but a shorter {@code grpc-timeout} from the caller wins; no
   * retries, since the edge cannot tell which gRPC methods are safe to repeat.
   */
  private Route grpcRoute(String name, RouteMatch match, String cluster) {
    RouteAction.Builder action =
        RouteAction.newBuilder()
            .setCluster(cluster)
            .setTimeout(seconds(settings.routeTimeoutSeconds()))
            .setMaxStreamDuration(
                RouteAction.MaxStreamDuration.newBuilder()
                    .setGrpcTimeoutHeaderMax(seconds(settings.routeTimeoutSeconds())));
    return Route.newBuilder().setName(name).setMatch(match).setRoute(action).build();
  }

  private CorsPolicy corsPolicy() {
    CorsPolicy.Builder cors =
        CorsPolicy.newBuilder()
            .setAllowMethods(ALLOWED_METHODS)
            .setAllowHeaders(ALLOWED_HEADERS)
            .setExposeHeaders(EXPOSED_HEADERS)
            .setMaxAge(MAX_AGE_SECONDS);
    List<StringMatcher> origins = new ArrayList<>();
    for (String origin : settings.allowedOriginRegexes()) {
      origins.add(StringMatcher.newBuilder().setSafeRegex(Matchers.regex(origin)).build());
    }
    return cors.addAllAllowOriginStringMatch(origins).build();
  }
}
