package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthConfigTest {

  @Test
  void fromEnv_unset_isTheDefaults() {
    AuthConfig config = AuthConfig.fromEnv(Env.of(Map.of()));

    assertThat(config).isEqualTo(AuthConfig.defaults());
    assertThat(config.issuer()).isEqualTo("lattice-identity");
    assertThat(config.audience()).isEqualTo("lattice");
    assertThat(config.allowedAlgorithms()).containsExactly(JWSAlgorithm.ES256);
    assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void fromEnv_readsIssuerAndAudience() {
    AuthConfig config =
        AuthConfig.fromEnv(
            Env.of(
                Map.of(
                    "LATTICE_AUTH_ISSUER", "https://id.example", "LATTICE_AUTH_AUDIENCE", "shop")));

    assertThat(config.issuer()).isEqualTo("https://id.example");
    assertThat(config.audience()).isEqualTo("shop");
  }

  @ParameterizedTest
  @CsvSource({"30, 30", "30s, 30", "PT45S, 45", "0, 0", "90, 60", "5m, 60"})
  void fromEnv_clockSkew_secondsOrDuration_cappedAt60s(String value, long expectedSeconds) {
    AuthConfig config = AuthConfig.fromEnv(Env.of(Map.of("LATTICE_AUTH_CLOCK_SKEW", value)));

    assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(expectedSeconds));
  }

  @Test
  void fromEnv_malformedSkew_namesTheVariable() {
    assertThatThrownBy(
            () -> AuthConfig.fromEnv(Env.of(Map.of("LATTICE_AUTH_CLOCK_SKEW", "a minute"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_AUTH_CLOCK_SKEW");
  }

  @Test
  void constructor_refusesAlgorithmsOtherThanEcdsa() {
    for (JWSAlgorithm alg : Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256K)) {
      assertThatThrownBy(
              () -> new AuthConfig("i", "a", Set.of(JWSAlgorithm.ES256, alg), Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new AuthConfig("i", "a", Set.of(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_refusesSkewAbove60sOrNegative() {
    Set<JWSAlgorithm> es256 = Set.of(JWSAlgorithm.ES256);

    assertThatThrownBy(() -> new AuthConfig("i", "a", es256, Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuthConfig("i", "a", es256, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_refusesBlankIssuerOrAudience() {
    Set<JWSAlgorithm> es256 = Set.of(JWSAlgorithm.ES256);

    assertThatThrownBy(() -> new AuthConfig(" ", "a", es256, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuthConfig("i", "", es256, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
