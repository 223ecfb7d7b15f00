package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class EmbeddedPostgresFallbackTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty("lattice.pg.embedded");
  }

  @Test
  void forcedFallback_sameApi_killAndRestartKeepCommittedRows() throws Exception {
    System.setProperty("lattice.pg.embedded", "true");
    try (PostgresServer pg = PostgresServer.start()) {
      assertThat(pg.isEmbedded()).isTrue();
      int port = pg.port();
      pg.createDatabase("shop");
      try (Connection c = pg.connect("shop");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)");
        s.execute("INSERT INTO item VALUES (1, 'kettle')");
      }

      pg.kill();
      assertThat(pg.isRunning()).isFalse();
      pg.restart();

      assertThat(pg.port()).isEqualTo(port);
      assertThat(PostgresServerTest.names(pg, "shop")).containsExactly("kettle");
    }
  }
}
