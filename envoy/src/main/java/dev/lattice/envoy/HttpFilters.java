package dev.lattice.envoy;

import static dev.lattice.envoy.Matchers.always;
import static dev.lattice.envoy.Matchers.any;
import static dev.lattice.envoy.Matchers.millis;
import static dev.lattice.envoy.Matchers.seconds;
import static dev.lattice.envoy.Matchers.uint32;

import com.google.protobuf.Message;
import dev.lattice.envoy.Contracts.ApiService;
import dev.lattice.envoy.Contracts.HttpBinding;
import dev.lattice.envoy.Contracts.Rpc;
import io.envoyproxy.envoy.config.core.v3.BackoffStrategy;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.core.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwksAsyncFetch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtCacheConfig;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP filter chain, in the order it must run: CORS (answers preflights before anything asks
 * for a token), jwt_authn, local rate limiting, gRPC-Web (turns gRPC-Web into gRPC), the JSON
 * transcoder (turns JSON into gRPC), router.
 */
final class HttpFilters {
  /** The cluster that serves identity's JWK Set over HTTP/1.1. */
  static final String JWKS_CLUSTER = "identity_jwks";

  static final String JWT_PROVIDER = "lattice";

  private final Contracts contracts;
  private final EdgeSettings settings;

  HttpFilters(Contracts contracts, EdgeSettings settings) {
    this.contracts = contracts;
    this.settings = settings;
  }

  List<HttpFilter> build() {
    return List.of(
        filter(RouteTable.CORS_FILTER, Cors.getDefaultInstance()),
        filter("envoy.filters.http.jwt_authn", jwtAuthentication()),
        filter("envoy.filters.http.local_ratelimit", localRateLimit()),
        filter("envoy.filters.http.grpc_web", GrpcWeb.getDefaultInstance()),
        filter("envoy.filters.http.grpc_json_transcoder", transcoder()),
        filter("envoy.filters.http.router", Router.getDefaultInstance()));
  }

  private static HttpFilter filter(String name, Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(any(config)).build();
  }

  /**
   * Tokens from identity (ES256, verified against its JWK Set, fetched when Envoy starts and cached
   * for five minutes), read from {@code Authorization: Bearer} only and forwarded, because the
   * services verify them again. Rules, first match wins: every public RPC's HTTP bindings and gRPC
   * path need nothing; everything else needs a token. Preflights pass (CORS answered them).
   */
  private JwtAuthentication jwtAuthentication() {
    JwtProvider provider =
        JwtProvider.newBuilder()
            .setIssuer(settings.issuer())
            .addAudiences(settings.audience())
            .setRemoteJwks(
                RemoteJwks.newBuilder()
                    .setHttpUri(
                        HttpUri.newBuilder()
                            .setUri(settings.jwksUri().toString())
                            .setCluster(JWKS_CLUSTER)
                            .setTimeout(seconds(5)))
                    .setCacheDuration(seconds(300))
                    .setAsyncFetch(JwksAsyncFetch.newBuilder().setFailedRefetchDuration(seconds(1)))
                    .setRetryPolicy(
                        RetryPolicy.newBuilder()
                            .setNumRetries(uint32(3))
                            .setRetryBackOff(
                                BackoffStrategy.newBuilder()
                                    .setBaseInterval(millis(200))
                                    .setMaxInterval(seconds(2)))))
            .addFromHeaders(
                JwtHeader.newBuilder().setName("authorization").setValuePrefix("Bearer "))
            .setForward(true)
            .setJwtCacheConfig(JwtCacheConfig.newBuilder().setJwtCacheSize(1000))
            .build();

    List<RequirementRule> rules = new ArrayList<>();
    for (ApiService service : contracts.services()) {
      for (Rpc rpc : service.rpcs()) {
        if (!rpc.isPublic()) {
          continue;
        }
        for (HttpBinding binding : rpc.bindings()) {
          if (service.shared()) {
            for (String cluster : contracts.clusters()) {
              rules.add(
                  noToken(Matchers.http(binding, Map.of(Contracts.SELECTOR_VARIABLE, cluster))));
            }
          } else {
            rules.add(noToken(Matchers.http(binding, Map.of())));
          }
        }
        rules.add(noToken(Matchers.grpcMethod(rpc.grpcPath())));
      }
    }
    rules.add(
        RequirementRule.newBuilder()
            .setMatch(Matchers.everything())
            .setRequires(JwtRequirement.newBuilder().setProviderName(JWT_PROVIDER))
            .build());

    return JwtAuthentication.newBuilder()
        .putProviders(JWT_PROVIDER, provider)
        .addAllRules(rules)
        .setBypassCorsPreflight(true)
        .build();
  }

  /** A rule without a requirement: the request passes whether or not it carries a token. */
  private static RequirementRule noToken(RouteMatch match) {
    return RequirementRule.newBuilder().setMatch(match).build();
  }

  /**
   * One token bucket for the whole listener; a refused request gets 429 (gRPC callers
   * RESOURCE_EXHAUSTED) with {@code retry-after: 1}, the bucket's refill period.
   */
  private LocalRateLimit localRateLimit() {
    return LocalRateLimit.newBuilder()
        .setStatPrefix("lattice_rate_limit")
        .setTokenBucket(
            TokenBucket.newBuilder()
                .setMaxTokens(settings.rateLimitBurst())
                .setTokensPerFill(uint32(settings.rateLimitPerSecond()))
                .setFillInterval(seconds(1)))
        .setFilterEnabled(always("lattice.local_rate_limit.enabled"))
        .setFilterEnforced(always("lattice.local_rate_limit.enforced"))
        .addResponseHeadersToAdd(
            HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey("retry-after").setValue("1"))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .setRateLimitedAsResourceExhausted(true)
        .build();
  }

  /**
   * JSON to gRPC for every Lattice service. The print options stay Envoy's defaults: field names
   * print as the proto3 JSON names (lowerCamelCase, {@code preserve_proto_field_names: false}) and
   * fields at their default value are left out, as the local edge prints them; both accept either
   * name form on input. Requests that map to no method (404) or carry a query parameter the request
   * message lacks (400) are refused here instead of reaching a gRPC server as garbage. Routes match
   * the incoming HTTP path.
   */
  private GrpcJsonTranscoder transcoder() {
    GrpcJsonTranscoder.Builder transcoder =
        GrpcJsonTranscoder.newBuilder()
            .setProtoDescriptor(settings.descriptorPath())
            .setMatchIncomingRequestRoute(true)
            .setConvertGrpcStatus(true)
            .setRequestValidationOptions(
                GrpcJsonTranscoder.RequestValidationOptions.newBuilder()
                    .setRejectUnknownMethod(true)
                    .setRejectUnknownQueryParameters(true))
            .setMaxRequestBodySize(uint32(settings.maxRequestBodyBytes()));
    for (ApiService service : contracts.services()) {
      transcoder.addServices(service.fullName());
    }
    return transcoder.build();
  }
}
