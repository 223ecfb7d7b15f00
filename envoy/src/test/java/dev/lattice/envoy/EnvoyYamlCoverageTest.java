package dev.lattice.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.lattice.envoy.ContractFacts.Method;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * envoy/envoy.yaml, as parsed, serves the contracts: every service transcoded, every binding and
 * gRPC method routed to its deployable, exactly the public RPCs exempt from JWT, every route's
 * cluster defined and health-checked, retries only on GET. The mutations prove the checker fails
 * when the config is wrong.
 */
class EnvoyYamlCoverageTest {
  private static Bootstrap bootstrap;
  private static ContractFacts facts;

  @BeforeAll
  static void parse() throws Exception {
    bootstrap = StrictEnvoyConfig.parse(Files.readString(TestFiles.envoyYaml()));
    facts = ContractFacts.read(TestFiles.descriptors());
  }

  @Test
  void contractFacts_seeEveryDeployableAndTheSharedOperationsService() {
    assertThat(facts.deployables()).hasSize(6).contains("identity", "orders", "audit");
    assertThat(facts.methods())
        .filteredOn(Method::shared)
        .extracting(Method::service)
        .containsOnly("lattice.operations.v1.OperationsService");
    assertThat(facts.methods())
        .filteredOn(Method::isPublic)
        .extracting(Method::name)
        .contains("Login", "GetJwks");
  }

  @Test
  void committedConfig_coversEveryServiceRpcAndBinding() {
    assertThat(EdgeCoverage.problems(bootstrap, facts)).isEmpty();
  }

  /**
   * {@code convert_grpc_status} prints {@code grpc-status-details-bin} as JSON through the
   * descriptor set; Envoy adds only google.rpc.Status and Any on its own. Every Lattice error
   * carries ErrorInfo (and some BadRequest or RetryInfo): if their file is missing from the set,
   * the conversion fails and a JSON caller gets no error body at all.
   */
  @Test
  void descriptorSet_holdsTheErrorDetailTypesTheTranscoderMustPrint() {
    assertThat(facts.files())
        .as("files of the descriptor set Envoy loads (proto/target/descriptors/lattice.binpb)")
        .contains("google/rpc/error_details.proto");
  }

  @Test
  void droppingAPublicRule_isCaught() {
    Bootstrap mutated =
        withJwt(
            jwt -> {
              List<RequirementRule> rules = new ArrayList<>(jwt.getRulesList());
              rules.removeIf(rule -> rule.getMatch().getPath().equals("/v1/auth:login"));
              return jwt.toBuilder().clearRules().addAllRules(rules).build();
            });

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("IdentityService/Login")
                    .contains("public but needs a token"));
  }

  @Test
  void exemptingAnRpcThatIsNotPublic_isCaught() {
    Bootstrap mutated =
        withJwt(
            jwt ->
                jwt.toBuilder()
                    .addRules(
                        0,
                        RequirementRule.newBuilder()
                            .setMatch(
                                io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder()
                                    .setPrefix("/lattice.orders.v1.OrdersService/")))
                    .build());

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(
            p -> assertThat(p).contains("OrdersService/CreateOrder").contains("not public"));
  }

  @Test
  void routeToAnUndefinedCluster_isCaught() {
    Bootstrap mutated =
        withManager(
            manager -> {
              var routes = manager.getRouteConfig().getVirtualHosts(0).getRoutesList();
              int index = indexOfRouteTo(routes, "orders");
              var builder = manager.toBuilder();
              builder
                  .getRouteConfigBuilder()
                  .getVirtualHostsBuilder(0)
                  .getRoutesBuilder(index)
                  .getRouteBuilder()
                  .setCluster("ordrs");
              return builder.build();
            });

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(p -> assertThat(p).contains("undefined cluster 'ordrs'"));
  }

  @Test
  void retryOnARouteThatIsNotGet_isCaught() {
    Bootstrap mutated =
        withManager(
            manager -> {
              var builder = manager.toBuilder();
              var host = builder.getRouteConfigBuilder().getVirtualHostsBuilder(0);
              for (Route.Builder route : host.getRoutesBuilderList()) {
                if (route.getName().equals("lattice.orders.v1.OrdersService/CreateOrder")) {
                  route
                      .getRouteBuilder()
                      .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("unavailable"));
                }
              }
              return builder.build();
            });

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(
            p -> assertThat(p).contains("CreateOrder").contains("retries but is not a GET route"));
  }

  @Test
  void aServiceMissingFromTheTranscoder_isCaught() {
    Bootstrap mutated =
        withManager(
            manager -> {
              var builder = manager.toBuilder();
              for (HttpFilter.Builder filter : builder.getHttpFiltersBuilderList()) {
                if (filter.getTypedConfig().getTypeUrl().endsWith("GrpcJsonTranscoder")) {
                  GrpcJsonTranscoder transcoder =
                      EdgeCoverage.unpack(filter.getTypedConfig(), GrpcJsonTranscoder.class);
                  List<String> services = new ArrayList<>(transcoder.getServicesList());
                  services.remove("lattice.operations.v1.OperationsService");
                  filter.setTypedConfig(
                      Any.pack(
                          transcoder.toBuilder().clearServices().addAllServices(services).build()));
                }
              }
              return builder.build();
            });

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(p -> assertThat(p).startsWith("the transcoder lists"));
  }

  @Test
  void filtersInTheWrongOrder_areCaught() {
    Bootstrap mutated =
        withManager(
            manager -> {
              List<HttpFilter> filters = new ArrayList<>(manager.getHttpFiltersList());
              HttpFilter cors = filters.remove(0);
              filters.add(2, cors);
              return manager.toBuilder().clearHttpFilters().addAllHttpFilters(filters).build();
            });

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(p -> assertThat(p).startsWith("HTTP filters run in the order"));
  }

  @Test
  void aClusterWithoutHealthCheck_isCaught() {
    var resources = bootstrap.getStaticResources().toBuilder();
    for (Cluster.Builder cluster : resources.getClustersBuilderList()) {
      if (cluster.getName().equals("payments")) {
        cluster.clearHealthChecks();
      }
    }
    Bootstrap mutated = bootstrap.toBuilder().setStaticResources(resources).build();

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(p -> assertThat(p).contains("cluster payments has no gRPC health check"));
  }

  @Test
  void localRepliesWithoutJsonBodies_areCaught() {
    Bootstrap mutated = withManager(manager -> manager.toBuilder().clearLocalReplyConfig().build());

    assertThat(EdgeCoverage.problems(mutated, facts))
        .anySatisfy(
            p -> assertThat(p).contains("local 401 reply to a JSON caller gets no JSON body"));
  }

  private static int indexOfRouteTo(List<Route> routes, String cluster) {
    for (int i = 0; i < routes.size(); i++) {
      if (routes.get(i).hasRoute() && routes.get(i).getRoute().getCluster().equals(cluster)) {
        return i;
      }
    }
    throw new AssertionError("no route to " + cluster);
  }

  private static Bootstrap withJwt(UnaryOperator<JwtAuthentication> change) {
    return withManager(
        manager -> {
          var builder = manager.toBuilder();
          for (HttpFilter.Builder filter : builder.getHttpFiltersBuilderList()) {
            if (filter.getTypedConfig().getTypeUrl().endsWith("JwtAuthentication")) {
              JwtAuthentication jwt =
                  EdgeCoverage.unpack(filter.getTypedConfig(), JwtAuthentication.class);
              filter.setTypedConfig(Any.pack(change.apply(jwt)));
            }
          }
          return builder.build();
        });
  }

  private static Bootstrap withManager(UnaryOperator<HttpConnectionManager> change) {
    HttpConnectionManager changed = change.apply(EdgeCoverage.connectionManager(bootstrap));
    var builder = bootstrap.toBuilder();
    builder
        .getStaticResourcesBuilder()
        .getListenersBuilder(0)
        .getFilterChainsBuilder(0)
        .getFiltersBuilder(0)
        .setTypedConfig(Any.pack(changed));
    return builder.build();
  }
}
