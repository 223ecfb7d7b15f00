package dev.lattice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresExtensionTest {
  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.withTemplate(
          "extension_test_template",
          url -> {
            try (Connection c =
                    PostgresExtension.sharedServer().connect("extension_test_template");
                Statement s = c.createStatement()) {
              s.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)");
              s.execute("INSERT INTO item VALUES (1, 'seeded')");
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          });

  @Test
  void classDatabase_isACopyOfTheTemplate() throws Exception {
    assertThat(pg.database()).startsWith("t_postgresextensiontest_");
    assertThat(pg.jdbcUrl()).endsWith("/" + pg.database());
    try (Connection c = pg.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM item")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("seeded");
    }
  }

  @Test
  void classDatabase_isNotTheTemplateItself() throws Exception {
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO item VALUES (2, 'class-only')");
    }
    try (Connection c = pg.server().connect("extension_test_template");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM item")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
