package dev.lattice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * envoy/envoy.yaml parses strictly into Envoy's own {@code Bootstrap} (typed_config included) and
 * keeps the validation rules of Envoy's protos; and the strict reader really is strict.
 */
class EnvoyYamlStrictParseTest {
  private static String yaml;

  @BeforeAll
  static void readCommittedFile() throws Exception {
    yaml = Files.readString(TestFiles.envoyYaml());
  }

  @Test
  void committedFile_parsesIntoBootstrapWithEveryTypedConfigResolved() throws Exception {
    Bootstrap bootstrap = StrictEnvoyConfig.parse(yaml);

    assertThat(bootstrap.getStaticResources().getListenersList()).hasSize(1);
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(9901);
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getAddress())
        .isEqualTo("0.0.0.0");
    assertThat(EdgeCoverage.connectionManager(bootstrap).getHttpFiltersList()).hasSize(6);
  }

  @Test
  void committedFile_keepsTheValidationRulesEnvoyEnforcesOnLoad() throws Exception {
    assertThat(StrictEnvoyConfig.violations(StrictEnvoyConfig.parse(yaml))).isEmpty();
  }

  @Test
  void misspeltField_isRejected() {
    String misspelt =
        replaceOnce(yaml, "stat_prefix: \"lattice_edge\"", "stat_prefx: \"lattice_edge\"");

    assertThatThrownBy(() -> StrictEnvoyConfig.parse(misspelt))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("stat_prefx");
  }

  @Test
  void misspeltFieldInsideATypedConfig_isRejected() {
    String misspelt =
        replaceOnce(
            yaml, "reject_unknown_query_parameters: true", "reject_unknown_query_params: true");

    assertThatThrownBy(() -> StrictEnvoyConfig.parse(misspelt))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("reject_unknown_query_params");
  }

  @Test
  void unknownType_isRejected() {
    String unknown =
        replaceOnce(yaml, "filters.http.router.v3.Router\"", "filters.http.router.v3.Routr\"");

    assertThatThrownBy(() -> StrictEnvoyConfig.parse(unknown))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("Routr");
  }

  @Test
  void valueOfTheWrongType_isRejected() {
    String wrongType = replaceOnce(yaml, "port_value: 8080", "port_value: \"eighty\"");

    assertThatThrownBy(() -> StrictEnvoyConfig.parse(wrongType))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void brokenValidationRules_areReported() throws Exception {
    String noRuntimeKey =
        replaceOnce(yaml, "runtime_key: \"lattice.local_reply.status_400\"", "runtime_key: \"\"");
    String zeroBodyCap =
        replaceOnce(yaml, "max_request_body_size: 1048576", "max_request_body_size: 0");
    String noStatPrefix =
        replaceOnce(yaml, "stat_prefix: \"lattice_rate_limit\"", "stat_prefix: \"\"");

    assertThat(StrictEnvoyConfig.violations(StrictEnvoyConfig.parse(noRuntimeKey)))
        .anySatisfy(v -> assertThat(v).contains("runtime_key"));
    assertThat(StrictEnvoyConfig.violations(StrictEnvoyConfig.parse(zeroBodyCap)))
        .anySatisfy(v -> assertThat(v).contains("max_request_body_size"));
    assertThat(StrictEnvoyConfig.violations(StrictEnvoyConfig.parse(noStatPrefix)))
        .anySatisfy(v -> assertThat(v).contains("LocalRateLimit").contains("stat_prefix"));
  }

  private static String replaceOnce(String text, String target, String replacement) {
    assertThat(text).as("the committed envoy.yaml contains %s", target).contains(target);
    return text.replaceFirst(
        java.util.regex.Pattern.quote(target),
        java.util.regex.Matcher.quoteReplacement(replacement));
  }
}
