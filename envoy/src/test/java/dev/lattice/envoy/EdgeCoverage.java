package dev.lattice.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import dev.lattice.envoy.ContractFacts.Binding;
import dev.lattice.envoy.ContractFacts.Method;
import dev.lattice.envoy.RequestMatcher.Request;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a parsed envoy config against the contracts by evaluating it, the way Envoy would, on
 * concrete requests: every HTTP binding (a sample path with its variables filled in) and every gRPC
 * method. Independent of the generator: it sees only the parsed Bootstrap and {@link
 * ContractFacts}. Returns the problems found, each naming what is wrong; empty when none.
 */
final class EdgeCoverage {
  static final List<String> FILTER_ORDER =
      List.of(
          Cors.getDescriptor().getFullName(),
          JwtAuthentication.getDescriptor().getFullName(),
          LocalRateLimit.getDescriptor().getFullName(),
          GrpcWeb.getDescriptor().getFullName(),
          GrpcJsonTranscoder.getDescriptor().getFullName(),
          Router.getDescriptor().getFullName());
  static final String DESCRIPTOR_PATH = "/etc/envoy/lattice.binpb";
  static final int BODY_CAP = 1024 * 1024;

  private final ContractFacts facts;
  private final List<String> problems = new ArrayList<>();
  private Map<String, Cluster> clusters;
  private List<Route> routes;
  private JwtAuthentication jwt;

  private EdgeCoverage(ContractFacts facts) {
    this.facts = facts;
  }

  static List<String> problems(Bootstrap bootstrap, ContractFacts facts) {
    EdgeCoverage coverage = new EdgeCoverage(facts);
    coverage.check(bootstrap);
    return List.copyOf(coverage.problems);
  }

  /** The connection manager of the (only) listener. */
  static HttpConnectionManager connectionManager(Bootstrap bootstrap) {
    return unpack(
        bootstrap
            .getStaticResources()
            .getListeners(0)
            .getFilterChains(0)
            .getFilters(0)
            .getTypedConfig(),
        HttpConnectionManager.class);
  }

  /** The config of the HTTP filter whose typed_config has this type. */
  static <T extends Message> Optional<T> filterConfig(
      HttpConnectionManager manager, Class<T> type, String fullName) {
    return manager.getHttpFiltersList().stream()
        .filter(f -> f.getTypedConfig().getTypeUrl().endsWith("/" + fullName))
        .findFirst()
        .map(f -> unpack(f.getTypedConfig(), type));
  }

  static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private void check(Bootstrap bootstrap) {
    if (bootstrap.getStaticResources().getListenersCount() != 1
        || bootstrap
                .getStaticResources()
                .getListeners(0)
                .getAddress()
                .getSocketAddress()
                .getPortValue()
            != 8080) {
      problems.add("expected exactly one listener, on :8080");
    }
    HttpConnectionManager manager = connectionManager(bootstrap);
    clusters =
        bootstrap.getStaticResources().getClustersList().stream()
            .collect(Collectors.toMap(Cluster::getName, Function.identity(), (a, b) -> a));

    List<String> order =
        manager.getHttpFiltersList().stream()
            .map(HttpFilter::getTypedConfig)
            .map(any -> any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1))
            .toList();
    if (!order.equals(FILTER_ORDER)) {
      problems.add("HTTP filters run in the order " + order + ", expected " + FILTER_ORDER);
    }
    checkTranscoder(filterConfig(manager, GrpcJsonTranscoder.class, FILTER_ORDER.get(4)));
    jwt =
        filterConfig(manager, JwtAuthentication.class, FILTER_ORDER.get(1))
            .orElse(JwtAuthentication.getDefaultInstance());
    checkJwtProviders();
    checkRateLimit(filterConfig(manager, LocalRateLimit.class, FILTER_ORDER.get(2)));

    List<VirtualHost> hosts = manager.getRouteConfig().getVirtualHostsList();
    if (hosts.size() != 1 || !hosts.get(0).getDomainsList().contains("*")) {
      problems.add("expected one virtual host for every domain");
    }
    if (hosts.stream().anyMatch(h -> h.hasRetryPolicy() || h.hasRetryPolicyTypedConfig())) {
      problems.add("a virtual host retries: only GET routes may retry");
    }
    routes = hosts.stream().flatMap(h -> h.getRoutesList().stream()).toList();
    routes.forEach(this::checkRouteTarget);

    for (Method method : facts.methods()) {
      List<String> servedBy = method.shared() ? facts.deployables() : List.of(method.owner());
      for (Binding binding : method.bindings()) {
        for (String deployable : servedBy) {
          Request request = Request.json(binding.method(), binding.samplePath(deployable));
          String what = method.grpcPath() + " as " + binding.method() + " " + request.path();
          checkRouted(what, request, deployable, binding.method().equals("GET"));
          checkToken(what, request, method.isPublic());
        }
      }
      for (String deployable : servedBy) {
        Request request =
            method.shared()
                ? Request.grpc(method.grpcPath(), "lattice-service", deployable)
                : Request.grpc(method.grpcPath());
        String what = method.grpcPath() + " over gRPC to " + deployable;
        checkRouted(what, request, deployable, false);
        checkToken(what, request, method.isPublic());
      }
    }
    checkToken("a path no RPC has", Request.json("GET", "/v1/no-such-resource"), false);
    LocalReplyCheck.check(manager, problems);
    if (manager.hasTracing() && !clusters.containsKey(tracingCluster(manager))) {
      problems.add("the tracer exports to an undefined cluster");
    }
  }

  private void checkTranscoder(Optional<GrpcJsonTranscoder> found) {
    if (found.isEmpty()) {
      problems.add("no grpc_json_transcoder");
      return;
    }
    GrpcJsonTranscoder transcoder = found.get();
    if (!new TreeSet<>(transcoder.getServicesList()).equals(facts.services())) {
      problems.add(
          "the transcoder lists "
              + new TreeSet<>(transcoder.getServicesList())
              + " but the contracts have "
              + facts.services());
    }
    if (!transcoder.getProtoDescriptor().equals(DESCRIPTOR_PATH)) {
      problems.add(
          "the transcoder loads " + transcoder.getProtoDescriptor() + ", not " + DESCRIPTOR_PATH);
    }
    if (!transcoder.getConvertGrpcStatus()
        || !transcoder.getMatchIncomingRequestRoute()
        || !transcoder.getRequestValidationOptions().getRejectUnknownMethod()
        || !transcoder.getRequestValidationOptions().getRejectUnknownQueryParameters()
        || transcoder.getMaxRequestBodySize().getValue() != BODY_CAP) {
      problems.add(
          "the transcoder must convert gRPC status, match the incoming route, reject unknown "
              + "methods and query parameters and cap bodies at "
              + BODY_CAP
              + " bytes");
    }
  }

  private void checkJwtProviders() {
    jwt.getProvidersMap()
        .forEach(
            (name, provider) -> {
              if (!provider.getForward()) {
                problems.add(
                    "JWT provider " + name + " does not forward the token to the services");
              }
              if (!clusters.containsKey(provider.getRemoteJwks().getHttpUri().getCluster())) {
                problems.add(
                    "JWT provider " + name + " fetches its JWKS from an undefined cluster");
              }
            });
  }

  private void checkRateLimit(Optional<LocalRateLimit> found) {
    boolean retryAfter =
        found.stream()
            .flatMap(l -> l.getResponseHeadersToAddList().stream())
            .anyMatch(h -> h.getHeader().getKey().equalsIgnoreCase("retry-after"));
    boolean enforced =
        found
            .map(
                l ->
                    l.getFilterEnforced().getDefaultValue().getNumerator() > 0
                        && l.getFilterEnabled().getDefaultValue().getNumerator() > 0
                        && l.hasTokenBucket())
            .orElse(false);
    if (!retryAfter || !enforced) {
      problems.add("local rate limiting must be enabled, enforced and answer with retry-after");
    }
  }

  /**
   * Every route goes to a defined gRPC cluster (HTTP/2, gRPC health check), or only answers
   * OPTIONS.
   */
  private void checkRouteTarget(Route route) {
    if (route.hasDirectResponse()) {
      boolean optionsOnly =
          route.getMatch().getHeadersList().stream()
              .anyMatch(
                  h ->
                      h.getName().equals(":method")
                          && RequestMatcher.matches(h, new Request("OPTIONS", "/", Map.of()))
                          && !RequestMatcher.matches(h, new Request("GET", "/", Map.of())));
      if (!optionsOnly) {
        problems.add("route " + route.getName() + " answers directly for more than OPTIONS");
      }
      return;
    }
    String name = route.getRoute().getCluster();
    Cluster cluster = clusters.get(name);
    if (cluster == null) {
      problems.add("route " + route.getName() + " goes to undefined cluster '" + name + "'");
      return;
    }
    boolean grpcHealthCheck =
        cluster.getHealthChecksList().stream()
            .anyMatch(
                h ->
                    h.hasGrpcHealthCheck()
                        && h.getGrpcHealthCheck()
                            .getServiceName()
                            .equals(facts.ownedServices().get(name)));
    if (!grpcHealthCheck) {
      problems.add(
          "cluster " + name + " has no gRPC health check on " + facts.ownedServices().get(name));
    }
    Any options =
        cluster
            .getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    boolean http2 =
        options != null
            && unpack(
                    options,
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)
                .getExplicitHttpConfig()
                .hasHttp2ProtocolOptions();
    if (!http2 || !cluster.hasOutlierDetection()) {
      problems.add("cluster " + name + " must speak HTTP/2 and have outlier detection");
    }
  }

  private void checkRouted(String what, Request request, String deployable, boolean get) {
    Optional<Route> route =
        routes.stream().filter(r -> RequestMatcher.matches(r.getMatch(), request)).findFirst();
    if (route.isEmpty() || !route.get().hasRoute()) {
      problems.add(what + ": no route");
      return;
    }
    var action = route.get().getRoute();
    if (!action.getCluster().equals(deployable)) {
      problems.add(
          what + ": routed to '" + action.getCluster() + "', expected '" + deployable + "'");
    }
    if (!action.hasTimeout() || Durations.toMillis(action.getTimeout()) <= 0) {
      problems.add(what + ": route " + route.get().getName() + " has no timeout");
    }
    boolean retries = action.hasRetryPolicy() || action.hasRetryPolicyTypedConfig();
    if (get && !(retries && action.getRetryPolicy().getRetryOn().equals("unavailable"))) {
      problems.add(
          what
              + ": a GET route must retry on 'unavailable' (only), has '"
              + action.getRetryPolicy().getRetryOn()
              + "'");
    }
    if (!get && retries) {
      problems.add(what + ": route " + route.get().getName() + " retries but is not a GET route");
    }
  }

  /**
   * jwt_authn: the first matching rule decides; no rule or no requirement means no token needed.
   */
  private void checkToken(String what, Request request, boolean isPublic) {
    Optional<RequirementRule> rule =
        jwt.getRulesList().stream()
            .filter(r -> RequestMatcher.matches(r.getMatch(), request))
            .findFirst();
    boolean exempt =
        rule.isEmpty() || !rule.get().hasRequires() || allowsMissing(rule.get().getRequires());
    if (exempt != isPublic) {
      problems.add(
          what
              + (isPublic
                  ? ": public but needs a token"
                  : ": passes without a token but is not public"));
    }
  }

  private boolean allowsMissing(JwtRequirement requirement) {
    return switch (requirement.getRequiresTypeCase()) {
      case ALLOW_MISSING, ALLOW_MISSING_OR_FAILED, REQUIRESTYPE_NOT_SET -> true;
      case PROVIDER_NAME -> {
        if (!jwt.getProvidersMap().containsKey(requirement.getProviderName())) {
          problems.add("a JWT rule requires undefined provider " + requirement.getProviderName());
        }
        yield false;
      }
      default ->
          throw new UnsupportedOperationException("JWT requirement not modelled: " + requirement);
    };
  }

  private static String tracingCluster(HttpConnectionManager manager) {
    var config =
        unpack(
            manager.getTracing().getProvider().getTypedConfig(),
            io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig.class);
    return config.getGrpcService().getEnvoyGrpc().getClusterName();
  }
}
