package dev.lattice.chaos;

import dev.lattice.local.NatsCluster;
import dev.lattice.local.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL server and the three-node NATS cluster of a chaos run. The driver starts them
 * itself and hands them to the mesh as an operator's servers ({@code LATTICE_DB_URL}, {@code
 * LATTICE_NATS_URL} naming all three members, streams at three replicas), so that it can stop, kill
 * and restart them while the mesh runs: the launcher's own servers die with it and cannot be
 * reached from outside. The services still connect as the non-owner runtime role (decision 0018);
 * the driver reads as the owner. Thread-safe as the servers are.
 */
final class OwnedServers implements AutoCloseable {

  final PostgresServer postgres;
  final NatsCluster nats;

  private OwnedServers(PostgresServer postgres, NatsCluster nats) {
    this.postgres = postgres;
    this.nats = nats;
  }

  /** PostgreSQL on 55432 + offset (fsync on), NATS members on 54222..54224 + offset. */
  static OwnedServers start(Path root, int portOffset) {
    Path logs = root.resolve(".lattice").resolve("logs");
    PostgresServer postgres =
        PostgresServer.start(
            PostgresServer.Options.temporary()
                .withPort(55432 + portOffset)
                .withFsync(true)
                .withLogFile(logs.resolve("postgres.log")));
    try {
      int nats = 54222 + portOffset;
      NatsCluster cluster =
          NatsCluster.start(
              3,
              root.resolve("nats-cluster"),
              logs,
              List.of(nats, nats + 1, nats + 2),
              Duration.ofSeconds(60));
      return new OwnedServers(postgres, cluster);
    } catch (RuntimeException e) {
      postgres.close();
      throw e;
    }
  }

  /** What the launcher needs to use these servers instead of starting its own. */
  Map<String, String> meshEnvironment() {
    return Map.of(
        "LATTICE_DB_URL", postgres.jdbcUrl("postgres"),
        "LATTICE_DB_MIGRATION_USER", postgres.user(),
        "LATTICE_DB_USER", postgres.runtimeRole(),
        "LATTICE_NATS_URL", nats.urls(),
        "LATTICE_EVENTS_REPLICAS", "3");
  }

  @Override
  public void close() {
    try {
      nats.close();
    } finally {
      postgres.close();
    }
  }
}
