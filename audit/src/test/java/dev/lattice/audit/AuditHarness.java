package dev.lattice.audit;

import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.audit.v1.AuditServiceGrpc.AuditServiceBlockingStub;
import dev.lattice.local.FreePorts;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.SqlProbe;
import dev.lattice.testing.service.TestKey;
import dev.lattice.testing.service.TrustingModule;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real audit service for a test class: its own database on the shared test PostgreSQL, the
 * shared test nats-server, a Netty server on a free loopback port, and access tokens signed by a
 * test key the service trusts instead of identity's JWKS.
 */
final class AuditHarness implements AutoCloseable {

  private final RunningService service;
  private final ManagedChannel channel;
  private final PostgresExtension postgres;
  private final TestKey tokens;

  private AuditHarness(
      RunningService service, ManagedChannel channel, PostgresExtension postgres, TestKey tokens) {
    this.service = service;
    this.channel = channel;
    this.postgres = postgres;
    this.tokens = tokens;
  }

  /** Starts audit. */
  static AuditHarness start(PostgresExtension postgres, NatsExtension nats) {
    return start(postgres, nats, Map.of());
  }

  /**
   * Starts audit with {@code settings} added to its environment (e.g. {@code
   * LATTICE_PAGE_TOKEN_TTL}). Several instances on one {@code postgres} share the database and the
   * durable consumers, like replicas.
   */
  static AuditHarness start(
      PostgresExtension postgres, NatsExtension nats, Map<String, String> settings) {
    return start(postgres, nats.url(), settings);
  }

  /** Starts audit against the nats-server at {@code natsUrl}. */
  static AuditHarness start(
      PostgresExtension postgres, String natsUrl, Map<String, String> settings) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
    env.put("LATTICE_NATS_URL", natsUrl);
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    TestKey tokens = TestKey.generate("audit-test-key");
    RunningService service =
        ServiceRuntime.start(
            new TrustingModule(new AuditMain(), tokens.keySource()),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return new AuditHarness(service, channel, postgres, tokens);
  }

  /** Signs tokens the running service accepts. */
  TestKey tokens() {
    return tokens;
  }

  /** A blocking stub sending {@code accessToken}. */
  AuditServiceBlockingStub stub(String accessToken) {
    return AuditServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** A new JDBC connection to audit's database as the test server's superuser. */
  Connection connect() throws SQLException {
    return postgres.connect();
  }

  /** The first column of the first row of {@code sql} on the service's database, or null. */
  Object sqlValue(String sql, Object... params) {
    return new SqlProbe(postgres::connect).value(sql, params);
  }

  /** {@link #sqlValue} as a long (counts). */
  long sqlLong(String sql, Object... params) {
    return new SqlProbe(postgres::connect).longValue(sql, params);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    service.close();
  }
}
