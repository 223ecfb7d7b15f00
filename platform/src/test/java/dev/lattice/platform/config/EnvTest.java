package dev.lattice.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

  @Test
  void durations_acceptShortFormsAndIso8601() {
    Env env =
        Env.of(Map.of("A", "500ms", "B", "30s", "C", "5m", "D", "PT1.5S", "E", "2h", "F", " 1d "));

    assertThat(env.duration("A", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    assertThat(env.duration("B", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    assertThat(env.duration("C", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
    assertThat(env.duration("D", Duration.ZERO)).isEqualTo(Duration.ofMillis(1500));
    assertThat(env.duration("E", Duration.ZERO)).isEqualTo(Duration.ofHours(2));
    assertThat(env.duration("F", Duration.ZERO)).isEqualTo(Duration.ofDays(1));
    assertThat(env.duration("UNSET", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void unsetOrBlank_yieldsDefault() {
    Env env = Env.of(Map.of("BLANK", "  "));

    assertThat(env.string("BLANK", "d")).isEqualTo("d");
    assertThat(env.integer("UNSET", 4)).isEqualTo(4);
    assertThat(env.bool("UNSET", true)).isTrue();
  }

  @Test
  void malformedValues_throwNamingTheVariable() {
    Env env =
        Env.of(
            Map.of(
                "LATTICE_X_PORT", "90x",
                "LATTICE_X_TIMEOUT", "soon",
                "LATTICE_X_FLAG", "maybe",
                "LATTICE_X_SIZE", "0"));

    assertThatThrownBy(() -> env.integer("LATTICE_X_PORT", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_X_PORT")
        .hasMessageContaining("90x");
    assertThatThrownBy(() -> env.duration("LATTICE_X_TIMEOUT", Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_X_TIMEOUT");
    assertThatThrownBy(() -> env.bool("LATTICE_X_FLAG", false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_X_FLAG");
    assertThatThrownBy(() -> env.integer("LATTICE_X_SIZE", 1, 1, 10))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_X_SIZE")
        .hasMessageContaining("between 1 and 10");
    assertThatThrownBy(() -> env.requiredString("LATTICE_X_MISSING"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_X_MISSING");
  }

  @Test
  void malformedSecret_isNotEchoed() {
    Env env = Env.of(Map.of("LATTICE_DB_PASSWORD_ROTATION", "hunter2"));

    assertThatThrownBy(() -> env.duration("LATTICE_DB_PASSWORD_ROTATION", Duration.ZERO))
        .hasMessageContaining("LATTICE_DB_PASSWORD_ROTATION")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void dbConfig_readsVariablesWithDefaults_andHidesPassword() {
    DbConfig config =
        DbConfig.fromEnv(
            Env.of(
                Map.of(
                    "LATTICE_DB_URL", "jdbc:postgresql://db:5432/lattice_orders",
                    "LATTICE_DB_USER", "orders",
                    "LATTICE_DB_PASSWORD", "s3cret",
                    "LATTICE_DB_POOL_SIZE", "12")),
            "orders");

    assertThat(config.poolSize()).isEqualTo(12);
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.socketTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void dbConfig_migrationRole_defaultsToTheRuntimeRoleWithItsPassword() {
    Map<String, String> values =
        Map.of(
            "LATTICE_DB_URL", "jdbc:postgresql://db:5432/lattice_orders",
            "LATTICE_DB_USER", "orders",
            "LATTICE_DB_PASSWORD", "s3cret");
    DbConfig single = DbConfig.fromEnv(Env.of(values), "orders");
    assertThat(single.migrationUser()).isEqualTo("orders");
    assertThat(single.migrationPassword()).isEqualTo("s3cret");
    assertThat(single.separateMigrationRole()).isFalse();

    Map<String, String> split = new java.util.HashMap<>(values);
    split.put("LATTICE_DB_MIGRATION_USER", "owner");
    DbConfig separate = DbConfig.fromEnv(Env.of(split), "orders");
    assertThat(separate.migrationUser()).isEqualTo("owner");
    assertThat(separate.migrationPassword()).isEmpty();
    assertThat(separate.separateMigrationRole()).isTrue();

    split.put("LATTICE_DB_MIGRATION_PASSWORD", "0wner");
    DbConfig withPassword = DbConfig.fromEnv(Env.of(split), "orders");
    assertThat(withPassword.migrationPassword()).isEqualTo("0wner");
    assertThat(withPassword.toString()).doesNotContain("0wner").doesNotContain("s3cret");
  }

  @Test
  void dbConfig_missingUrl_namesVariable() {
    assertThatThrownBy(() -> DbConfig.fromEnv(Env.of(Map.of("LATTICE_DB_USER", "u")), "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_DB_URL");
    assertThatThrownBy(
            () ->
                DbConfig.fromEnv(
                    Env.of(
                        Map.of(
                            "LATTICE_DB_URL",
                            "jdbc:postgresql://h/d",
                            "LATTICE_DB_USER",
                            "u",
                            "LATTICE_DB_POOL_SIZE",
                            "-3")),
                    "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_DB_POOL_SIZE");
  }

  @Test
  void serverAndTelemetryConfig_readStandardVariables() {
    Env env =
        Env.of(
            Map.of(
                "LATTICE_GRPC_PORT", "0",
                "LATTICE_DRAIN_TIMEOUT", "3s",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));

    assertThat(ServerConfig.fromEnv(env, 9090))
        .isEqualTo(new ServerConfig(0, Duration.ofSeconds(3)));
    TelemetryConfig telemetry = TelemetryConfig.fromEnv(env, "orders");
    assertThat(telemetry.serviceName()).isEqualTo("orders");
    assertThat(telemetry.otlpEndpoint()).contains(URI.create("http://collector:4318"));
    assertThat(telemetry.protocol()).isEqualTo(TelemetryConfig.HTTP_PROTOBUF);
    assertThat(ServerConfig.fromEnv(Env.of(Map.of()), 9090).drainTimeout())
        .isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(
            () ->
                TelemetryConfig.fromEnv(Env.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "nope")), "x"))
        .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
  }

  @Test
  void healthConfig_readsItsVariables_withDefaults() {
    assertThat(HealthConfig.fromEnv(Env.of(Map.of()))).isEqualTo(HealthConfig.defaults());
    assertThat(HealthConfig.defaults())
        .isEqualTo(new HealthConfig(Duration.ofSeconds(1), Duration.ofSeconds(2)));
    assertThat(
            HealthConfig.fromEnv(
                Env.of(
                    Map.of(
                        "LATTICE_HEALTH_CHECK_INTERVAL", "250ms",
                        "LATTICE_HEALTH_CHECK_TIMEOUT", "3s"))))
        .isEqualTo(new HealthConfig(Duration.ofMillis(250), Duration.ofSeconds(3)));
  }

  @Test
  void observingDefaults_reportsEachDefaultHandedOut() {
    java.util.List<String> seen = new java.util.ArrayList<>();
    Env env =
        Env.of(Map.of("SET", "x", "BLANK", " "))
            .observingDefaults((name, value) -> seen.add(name + "=" + value));

    assertThat(env.string("SET", "d")).isEqualTo("x");
    assertThat(env.string("BLANK", "127.0.0.1:9101")).isEqualTo("127.0.0.1:9101");
    assertThat(env.integer("PORT", 9204, 0, 65535)).isEqualTo(9204);
    assertThat(env.duration("WAIT", Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(env.bool("FLAG", false)).isFalse();
    assertThat(env.optional("NONE")).isEmpty();

    assertThat(seen)
        .containsExactly("BLANK=127.0.0.1:9101", "PORT=9204", "WAIT=PT2S", "FLAG=false");
  }
}
