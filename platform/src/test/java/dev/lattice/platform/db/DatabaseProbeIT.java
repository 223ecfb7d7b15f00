package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.local.PostgresServer;
import dev.lattice.platform.config.DbConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DatabaseProbe} against a PostgreSQL of its own that the tests stop, restart and freeze,
 * and against a server that accepts connections and never answers: every check ends within its
 * timeout, and a database that is back answers at the next check.
 */
class DatabaseProbeIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** The timeout plus what a busy two-core machine adds. */
  private static final Duration BOUND = TIMEOUT.plusSeconds(2);

  private static PostgresServer pg;

  @BeforeAll
  static void start() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  @Test
  void runningServer_answers_throughOneKeptConnection() throws Exception {
    try (DatabaseProbe probe = probe("kept")) {
      for (int i = 0; i < 5; i++) {
        probe.check();
      }

      assertThat(connectionsNamed("kept-health")).isEqualTo(1);
    }
  }

  @Test
  void stoppedServer_failsAtOnce_andAnswersAgainAfterTheRestart() throws Exception {
    try (DatabaseProbe probe = probe("stopped")) {
      probe.check();
      pg.stop();
      try {
        for (int i = 0; i < 2; i++) { // the kept connection is dead, then nothing listens
          long start = System.nanoTime();
          assertThatThrownBy(probe::check).isInstanceOf(SQLException.class);
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
        }
      } finally {
        pg.restart();
      }

      assertThatCode(probe::check).doesNotThrowAnyException();
    }
  }

  /** The kept connection died with the old server; the new one answers, so the check passes. */
  @Test
  void restartBetweenTwoChecks_isNoFailure() throws Exception {
    try (DatabaseProbe probe = probe("restarted")) {
      probe.check();

      pg.restart();

      assertThatCode(probe::check).doesNotThrowAnyException();
    }
  }

  @Test
  void frozenServer_failsWithinTheTimeout() throws Exception {
    try (DatabaseProbe probe = probe("frozen")) {
      probe.check();
      pg.pause();
      try {
        for (int i = 0; i < 2; i++) { // first the kept connection, then a new login
          long start = System.nanoTime();
          assertThatThrownBy(probe::check).isInstanceOf(SQLException.class);
          assertThat(Duration.ofNanos(System.nanoTime() - start))
              .isLessThan(TIMEOUT.multipliedBy(2).plus(BOUND));
        }
      } finally {
        pg.resume();
      }

      assertThatCode(probe::check).doesNotThrowAnyException();
    }
  }

  /** A peer that takes the connection and never says a word: the login gives up in time. */
  @Test
  void silentPeer_failsWithinTheTimeout() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (true) {
                      accepted.add(silent.accept());
                    }
                  } catch (IOException e) {
                    // closed: the test is over
                  }
                });
    DbConfig config =
        DbConfig.of(
            "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/lattice",
            "postgres",
            "",
            "silent");
    try (DatabaseProbe probe = DatabaseProbe.of(config, TIMEOUT)) {
      long start = System.nanoTime();
      assertThatThrownBy(probe::check).isInstanceOf(SQLException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
      assertThat(accepted).as("the probe reached the peer").isNotEmpty();
    } finally {
      silent.close();
      acceptor.join();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  private static DatabaseProbe probe(String name) {
    return DatabaseProbe.of(DbConfig.of(pg.jdbcUrl("postgres"), pg.user(), "", name), TIMEOUT);
  }

  private static int connectionsNamed(String applicationName) throws SQLException {
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from pg_stat_activity where application_name = '"
                    + applicationName
                    + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
