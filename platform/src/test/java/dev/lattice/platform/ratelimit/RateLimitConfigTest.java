package dev.lattice.platform.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {

  @Test
  void byDefault_twoHundredCallsASecond_withBurstsOfFourHundred() {
    assertThat(RateLimitConfig.from(Env.of(Map.of()))).isEqualTo(new RateLimitConfig(200, 400, 20));
  }

  @Test
  void aRateOfZero_turnsTheLimitOff() {
    assertThat(RateLimitConfig.from(Env.of(Map.of("LATTICE_RATE_LIMIT_PER_SECOND", "0"))).enabled())
        .isFalse();
  }

  @Test
  void aRate_limitsEveryCaller_withTwoSecondsOfBurst_andLeasesOfTwenty() {
    assertThat(RateLimitConfig.from(Env.of(Map.of("LATTICE_RATE_LIMIT_PER_SECOND", "200"))))
        .isEqualTo(new RateLimitConfig(200, 400, 20));
  }

  @Test
  void aSmallBurst_capsTheDefaultLease() {
    assertThat(
            RateLimitConfig.from(
                    Env.of(
                        Map.of(
                            "LATTICE_RATE_LIMIT_PER_SECOND",
                            "100",
                            "LATTICE_RATE_LIMIT_BURST",
                            "5")))
                .lease())
        .isEqualTo(5);
  }

  @Test
  void aLeaseAboveTheBurst_isRefused() {
    assertThatThrownBy(
            () ->
                RateLimitConfig.from(
                    Env.of(
                        Map.of(
                            "LATTICE_RATE_LIMIT_BURST", "10", "LATTICE_RATE_LIMIT_LEASE", "11"))))
        .isInstanceOf(ConfigException.class);
  }
}
