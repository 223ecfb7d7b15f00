package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeConfigTest {

  @TempDir Path dir;

  @Test
  void defaults_serveTheBundledSetOnThisMachinesPorts() {
    EdgeConfig config = EdgeConfig.fromEnv(Env.of(Map.of()));

    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.descriptors()).isEmpty();
    assertThat(config.targets())
        .containsOnlyKeys("identity", "orders", "inventory", "payments", "notifications", "audit")
        .containsEntry("identity", "127.0.0.1:9101")
        .containsEntry("audit", "127.0.0.1:9106");
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.rateLimit()).isEqualTo(500);
    assertThat(config.maxRequestBytes()).isEqualTo(1024 * 1024);
    assertThat(config.corsOrigins()).containsExactly("http://localhost:*", "http://127.0.0.1:*");
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void everyVariable_isRead() {
    EdgeConfig config =
        EdgeConfig.fromEnv(
            Env.of(
                Map.of(
                    "LATTICE_EDGE_HTTP_PORT", "18080",
                    "LATTICE_INVENTORY_TARGET", "inventory:9103",
                    "LATTICE_EDGE_CORS_ORIGINS", "https://shop.example.com, http://localhost:*",
                    "LATTICE_EDGE_TIMEOUT", "5s",
                    "LATTICE_EDGE_RATE_LIMIT", "20",
                    "LATTICE_EDGE_MAX_REQUEST_BYTES", "2048",
                    "LATTICE_EDGE_DRAIN_TIMEOUT", "3s")));

    assertThat(config.httpPort()).isEqualTo(18080);
    assertThat(config.targets()).containsEntry("inventory", "inventory:9103");
    assertThat(config.corsOrigins())
        .containsExactly("https://shop.example.com", "http://localhost:*");
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.rateLimit()).isEqualTo(20);
    assertThat(config.maxRequestBytes()).isEqualTo(2048);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aServiceTheDefaultsDoNotKnow_needsItsTarget() {
    Path set = WidgetContract.write(dir.resolve("widgets.binpb"));

    assertThatThrownBy(
            () -> EdgeConfig.fromEnv(Env.of(Map.of("LATTICE_EDGE_DESCRIPTORS", set.toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_WIDGETS_TARGET");

    EdgeConfig config =
        EdgeConfig.fromEnv(
            Env.of(
                Map.of(
                    "LATTICE_EDGE_DESCRIPTORS",
                    set.toString(),
                    "LATTICE_WIDGETS_TARGET",
                    "widgets:9000")));
    assertThat(config.targets()).isEqualTo(Map.of("widgets", "widgets:9000"));
  }

  @Test
  void badValues_nameTheirVariable() {
    assertThatThrownBy(
            () -> EdgeConfig.fromEnv(Env.of(Map.of("LATTICE_EDGE_CORS_ORIGINS", "localhost"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_EDGE_CORS_ORIGINS");
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Env.of(Map.of("LATTICE_EDGE_TIMEOUT", "0s"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_EDGE_TIMEOUT");
    assertThatThrownBy(() -> EdgeConfig.fromEnv(Env.of(Map.of("LATTICE_EDGE_RATE_LIMIT", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_EDGE_RATE_LIMIT");
    assertThatThrownBy(
            () ->
                EdgeConfig.fromEnv(
                    Env.of(
                        Map.of("LATTICE_EDGE_DESCRIPTORS", dir.resolve("none.binpb").toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_EDGE_DESCRIPTORS");
  }

  @Test
  void constructor_refusesNonsense() {
    assertThatThrownBy(
            () ->
                new EdgeConfig(
                    70000,
                    java.util.Optional.empty(),
                    Map.of(),
                    List.of("*"),
                    Duration.ofSeconds(1),
                    1,
                    1,
                    Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
