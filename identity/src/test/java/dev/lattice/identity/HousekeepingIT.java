package dev.lattice.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.identity.housekeeping.Housekeeping;
import dev.lattice.identity.throttle.ThrottleLimits;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.platform.config.Env;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Housekeeping deletes dead refresh-token families and old counters, and nothing alive. */
class HousekeepingIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static IdentityHarness identity;

  @BeforeAll
  static void start() {
    identity = IdentityHarness.start(postgres, nats, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    identity.close();
  }

  @Test
  void deadFamiliesAndIdleCountersGo_liveSessionsStay() throws Exception {
    LoginResponse dead = identity.loginAdmin();
    String rotated =
        identity
            .stub()
            .refreshToken(
                RefreshTokenRequest.newBuilder().setRefreshToken(dead.getRefreshToken()).build())
            .getRefreshToken();
    LoginResponse alive = identity.loginAdmin();
    try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "")) {
      // Age the first family (two tokens, parent and child) past the retention.
      db.createStatement()
          .executeUpdate(
              "update refresh_tokens set issue_time = now() - interval '40 days', "
                  + "expire_time = now() - interval '10 days', idle_expire_time = now() - interval '10 days' "
                  + "where family_id = (select family_id from refresh_tokens order by issue_time limit 1)");
      db.createStatement()
          .executeUpdate(
              "insert into throttles values ('LOGIN', 'ADDRESS', sha256('x'::bytea), 3, "
                  + "now() - interval '2 days', now() - interval '2 days')");
      DSLContext dsl = DSL.using(db, SQLDialect.POSTGRES);
      Throttles throttles =
          new Throttles(dsl, ThrottleLimits.fromEnv(Env.of(Map.of())), Clock.systemUTC());

      int deleted = new Housekeeping(dsl, throttles, Clock.systemUTC()).run();

      assertThat(deleted).isEqualTo(3);
      assertThat(count(db, "select count(*) from refresh_tokens")).isEqualTo(1);
      assertThat(count(db, "select count(*) from throttles")).isZero();
    }
    assertThat(
            identity
                .stub()
                .refreshToken(
                    RefreshTokenRequest.newBuilder()
                        .setRefreshToken(alive.getRefreshToken())
                        .build())
                .getRefreshToken())
        .isNotEmpty();
    assertThat(rotated).isNotEmpty();
  }

  private static long count(Connection db, String sql) throws Exception {
    try (ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
