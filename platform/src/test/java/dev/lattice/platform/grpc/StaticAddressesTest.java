package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.NameResolverRegistry;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaticAddressesTest {

  @Test
  void target_namesEveryAddressInOrder_andIsRecognisedAsStatic() {
    String target = StaticAddresses.target(List.of("127.0.0.1:9103", "127.0.0.1:9113"));

    assertThat(target).isEqualTo("static:///127.0.0.1:9103,127.0.0.1:9113");
    assertThat(StaticAddresses.isStatic(target)).isTrue();
    assertThat(StaticAddresses.isStatic("127.0.0.1:9103")).isFalse();
  }

  @Test
  void target_refusesAnEmptyListAndEntriesThatAreNotHostAndPort() {
    assertThatThrownBy(() -> StaticAddresses.target(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StaticAddresses.target(List.of("127.0.0.1")))
        .hasMessageContaining("not host:port");
    assertThatThrownBy(() -> StaticAddresses.target(List.of("127.0.0.1:http")))
        .hasMessageContaining("not host:port");
  }

  @Test
  void provider_isRegisteredWithGrpc_andLeavesOtherSchemesAlone() {
    assertThat(NameResolverRegistry.getDefaultRegistry().getProviderForScheme("static"))
        .isInstanceOf(StaticAddresses.class);
    assertThat(new StaticAddresses().newNameResolver(URI.create("dns:///localhost:1"), null))
        .isNull();
  }

  @Test
  void serviceConfig_ofReplicas_choosesRoundRobinWithHealthChecks() {
    Map<String, Object> config = Channels.serviceConfig(Set.of(), true);

    assertThat(config)
        .containsEntry("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())))
        .containsEntry("healthCheckConfig", Map.of("serviceName", ""))
        .doesNotContainKey("methodConfig");
    assertThat(Channels.serviceConfig(Set.of("a.B"), false))
        .containsKey("methodConfig")
        .doesNotContainKey("loadBalancingConfig");
  }
}
