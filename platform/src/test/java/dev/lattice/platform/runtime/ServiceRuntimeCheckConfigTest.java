package dev.lattice.platform.runtime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import io.grpc.BindableService;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ServiceRuntime#checkConfig}: every setting read up front, the module's own last. */
class ServiceRuntimeCheckConfigTest {

  /** A module with one required setting of its own, and a settings record that can refuse. */
  private record ProbeModule(boolean publishes) implements ServiceModule {
    @Override
    public String name() {
      return "probe";
    }

    @Override
    public int defaultPort() {
      return 9199;
    }

    @Override
    public boolean publishesEvents() {
      return publishes;
    }

    @Override
    public void checkConfig(Env env) {
      String level = env.requiredString("LATTICE_PROBE_LEVEL");
      if (!level.equals("low") && !level.equals("high")) {
        throw new IllegalArgumentException("level must be low or high");
      }
    }

    @Override
    public List<BindableService> services(ServiceContext context) {
      throw new AssertionError("a configuration check never builds services");
    }
  }

  private static Map<String, String> valid() {
    Map<String, String> env = new HashMap<>();
    // A port nothing listens on: a check that connected would fail differently.
    env.put("LATTICE_DB_URL", "jdbc:postgresql://127.0.0.1:1/lattice_probe");
    env.put("LATTICE_DB_USER", "postgres");
    env.put("LATTICE_PROBE_LEVEL", "low");
    return env;
  }

  private static Env without(String name) {
    Map<String, String> env = valid();
    env.remove(name);
    return Env.of(env);
  }

  private static Env with(String name, String value) {
    Map<String, String> env = valid();
    env.put(name, value);
    return Env.of(env);
  }

  @Test
  void validSettings_pass() {
    assertThatCode(() -> ServiceRuntime.checkConfig(new ProbeModule(true), Env.of(valid())))
        .doesNotThrowAnyException();
  }

  @Test
  void missingPlatformSetting_namesIt() {
    assertThatThrownBy(
            () -> ServiceRuntime.checkConfig(new ProbeModule(true), without("LATTICE_DB_URL")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_DB_URL");
  }

  @Test
  void malformedPlatformSettings_areRefused() {
    ProbeModule module = new ProbeModule(true);
    for (String[] bad :
        new String[][] {
          {"LATTICE_GRPC_PORT", "70000"},
          {"LATTICE_AUTH_CLOCK_SKEW", "soon"},
          {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector"},
          {"OTEL_TRACES_EXPORTER", "jaeger"},
          {"OTEL_EXPORTER_ZIPKIN_ENDPOINT", "zipkin:9411"},
          {"LATTICE_PAGE_TOKEN_KEY", "c2hvcnQ="},
          {"LATTICE_EVENTS_REPLICAS", "9"},
          {"LATTICE_OUTBOX_BATCH_SIZE", "0"},
          {"LATTICE_HEALTH_CHECK_INTERVAL", "often"},
          {"LATTICE_HEALTH_CHECK_INTERVAL", "10ms"},
          {"LATTICE_HEALTH_CHECK_TIMEOUT", "0s"},
        }) {
      assertThatThrownBy(() -> ServiceRuntime.checkConfig(module, with(bad[0], bad[1])))
          .as(bad[0])
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(bad[0]);
    }
  }

  @Test
  void streamAndRelaySettings_onlyForServicesThatPublish() {
    assertThatCode(
            () ->
                ServiceRuntime.checkConfig(
                    new ProbeModule(false), with("LATTICE_OUTBOX_BATCH_SIZE", "0")))
        .doesNotThrowAnyException();
  }

  @Test
  void moduleSettings_areCheckedAndTheirRefusalsBecomeConfigExceptions() {
    assertThatThrownBy(
            () -> ServiceRuntime.checkConfig(new ProbeModule(true), without("LATTICE_PROBE_LEVEL")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_PROBE_LEVEL");
    assertThatThrownBy(
            () ->
                ServiceRuntime.checkConfig(
                    new ProbeModule(true), with("LATTICE_PROBE_LEVEL", "mid")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("probe: level must be low or high");
  }

  @Test
  void start_checksBeforeConnectingAnything() {
    assertThatThrownBy(
            () ->
                ServiceRuntime.start(
                    new ProbeModule(true),
                    without("LATTICE_PROBE_LEVEL"),
                    InProcessServerBuilder.forName("probe-" + System.nanoTime())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_PROBE_LEVEL");
  }
}
