package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.local.PostgresServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code LATTICE_POSTGRES_SETTINGS}: the extra server settings of the mesh's own PostgreSQL. */
class PostgresSettingsTest {

  @Test
  void pairsSeparatedBySemicolons_valuesMayHoldCommas() {
    PostgresServer.Options options =
        Infrastructure.withSettings(
            PostgresServer.Options.temporary(),
            " shared_preload_libraries = pg_stat_statements,auto_explain ;"
                + "auto_explain.log_min_duration=250ms;");

    assertThat(options.settings())
        .containsExactly(
            Map.entry("shared_preload_libraries", "pg_stat_statements,auto_explain"),
            Map.entry("auto_explain.log_min_duration", "250ms"));
    assertThat(Infrastructure.withSettings(PostgresServer.Options.temporary(), "").settings())
        .isEmpty();
  }

  @Test
  void aPairWithoutNameOrEquals_isRefusedWithTheVariableNamed() {
    assertThatThrownBy(
            () -> Infrastructure.withSettings(PostgresServer.Options.temporary(), "work_mem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LATTICE_POSTGRES_SETTINGS");
    assertThatThrownBy(
            () -> Infrastructure.withSettings(PostgresServer.Options.temporary(), "=1MB"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
