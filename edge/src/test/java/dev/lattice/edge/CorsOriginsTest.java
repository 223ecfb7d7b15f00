package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CorsOriginsTest {

  @Test
  void defaults_allowThisMachineOnAnyPort_only() {
    CorsOrigins origins = CorsOrigins.parse(EdgeConfig.DEFAULT_CORS_ORIGINS);

    assertThat(origins.test("http://localhost:5173")).isTrue();
    assertThat(origins.test("http://127.0.0.1:8081")).isTrue();
    assertThat(origins.test("http://localhost")).isTrue();
    assertThat(origins.test("http://LOCALHOST:3000")).isTrue();
    assertThat(origins.test("https://localhost:5173")).isFalse();
    assertThat(origins.test("http://localhost.evil.example")).isFalse();
    assertThat(origins.test("http://127.0.0.1.evil.example:80")).isFalse();
    assertThat(origins.test(null)).isFalse();
  }

  @Test
  void exactOrigin_matchesOnlyItself() {
    CorsOrigins origins = CorsOrigins.parse(List.of("https://shop.example.com"));

    assertThat(origins.test("https://shop.example.com")).isTrue();
    assertThat(origins.test("https://shop.example.com:8443")).isFalse();
    assertThat(origins.test("http://shop.example.com")).isFalse();
  }

  @Test
  void star_allowsEveryOrigin() {
    assertThat(CorsOrigins.parse(List.of("*")).test("https://anything.example")).isTrue();
  }

  @Test
  void somethingElse_isRefused() {
    assertThatThrownBy(() -> CorsOrigins.parse(List.of("localhost:3000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("localhost:3000");
    assertThatThrownBy(() -> CorsOrigins.parse(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
