package dev.lattice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyConfigGeneratorTest {

  @Test
  void generatedYaml_parsesBackIntoTheSameBootstrap() throws Exception {
    Bootstrap built =
        EnvoyBootstrap.build(ContractReader.read(TestFiles.descriptors()), EdgeSettings.defaults());

    Bootstrap parsed = StrictEnvoyConfig.parse(EnvoyYaml.print(built, "# header\n"));

    assertThat(parsed).isEqualTo(built);
  }

  @Test
  void generatedYaml_keepsEveryValueItsJsonType() throws Exception {
    Bootstrap built =
        EnvoyBootstrap.build(ContractReader.read(TestFiles.descriptors()), EdgeSettings.defaults());
    JsonNode fromJson =
        new ObjectMapper()
            .readTree(
                JsonFormat.printer()
                    .usingTypeRegistry(EnvoyYaml.TYPES)
                    .preservingProtoFieldNames()
                    .print(built));

    JsonNode fromYaml = new YAMLMapper().readTree(EnvoyYaml.print(built, ""));

    // A string printed bare (1, on, 8080) would come back a number or boolean and differ here.
    assertThat(fromYaml.equals(EnvoyConfigGeneratorTest::sameValue, fromJson)).isTrue();
  }

  @Test
  void run_writesTheFileWithTheGivenOriginsAndSaysSo(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("envoy.yaml");

    EnvoyConfigGenerator.run(
        new String[] {
          "--descriptors", TestFiles.descriptors().toString(),
          "--out", out.toString(),
          "--allowed-origin-regex", "https://shop\\.example\\.com"
        });

    String yaml = Files.readString(out);
    CorsPolicy cors =
        EdgeCoverage.unpack(
            EdgeCoverage.connectionManager(StrictEnvoyConfig.parse(yaml))
                .getRouteConfig()
                .getVirtualHosts(0)
                .getTypedPerFilterConfigOrThrow("envoy.filters.http.cors"),
            CorsPolicy.class);
    assertThat(cors.getAllowOriginStringMatchList())
        .extracting(m -> m.getSafeRegex().getRegex())
        .containsExactly("https://shop\\.example\\.com");
    assertThat(yaml).contains("# Options: --allowed-origin-regex https://shop\\.example\\.com");
  }

  @Test
  void defaults_allowLocalhostAndLoopbackOnAnyPort() {
    List<String> origins = EdgeSettings.defaults().allowedOriginRegexes();

    assertThat(origins).anySatisfy(o -> assertThat("http://localhost:5173").matches(o));
    assertThat(origins).anySatisfy(o -> assertThat("http://127.0.0.1:8081").matches(o));
    assertThat(origins).noneSatisfy(o -> assertThat("http://localhost.evil.example").matches(o));
    assertThat(origins).noneSatisfy(o -> assertThat("http://127x0x0x1:80").matches(o));
  }

  @Test
  void portForADeployableTheContractsLack_isRefused(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                EnvoyConfigGenerator.run(
                    new String[] {
                      "--descriptors", TestFiles.descriptors().toString(),
                      "--out", dir.resolve("envoy.yaml").toString(),
                      "--port", "ordrs=9102"
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ordrs'");
  }

  @Test
  void missingOutput_isAUsageError() {
    assertThatThrownBy(() -> EnvoyConfigGenerator.run(new String[] {"--descriptors", "x.binpb"}))
        .isInstanceOf(EnvoyConfigGenerator.UsageException.class);
    assertThatThrownBy(() -> EnvoyConfigGenerator.run(new String[] {"--colour", "blue"}))
        .isInstanceOf(EnvoyConfigGenerator.UsageException.class)
        .hasMessageContaining("--colour");
  }

  /** Numbers compare by value (YAML's 100 is JSON's 100.0); everything else must match in type. */
  private static int sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.equals(b) ? 0 : 1;
  }
}
