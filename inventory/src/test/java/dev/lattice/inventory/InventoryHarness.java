package dev.lattice.inventory;

import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.local.FreePorts;
import dev.lattice.operations.v1.OperationsServiceGrpc;
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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real inventory service for a test class: its own database on the shared test PostgreSQL, the
 * shared test nats-server, a Netty server on a free loopback port, and access tokens signed by a
 * test key the service trusts instead of identity's JWKS.
 */
final class InventoryHarness implements AutoCloseable {

  private final RunningService service;
  private final ManagedChannel channel;
  private final PostgresExtension postgres;
  private final TestKey tokens;

  private InventoryHarness(
      RunningService service, ManagedChannel channel, PostgresExtension postgres, TestKey tokens) {
    this.service = service;
    this.channel = channel;
    this.postgres = postgres;
    this.tokens = tokens;
  }

  /** Starts inventory. */
  static InventoryHarness start(PostgresExtension postgres, NatsExtension nats) {
    return start(postgres, nats, Map.of());
  }

  /**
   * Starts inventory with {@code settings} added to its environment (e.g. {@code
   * LATTICE_INVENTORY_RESERVATION_TTL}). Several instances on one {@code postgres} share the
   * database and the durable consumers, like replicas.
   */
  static InventoryHarness start(
      PostgresExtension postgres, NatsExtension nats, Map<String, String> settings) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
    env.put("LATTICE_NATS_URL", nats.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    TestKey tokens = TestKey.generate("inventory-test-key");
    RunningService service =
        ServiceRuntime.start(
            new TrustingModule(new InventoryMain(), tokens.keySource()),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return new InventoryHarness(service, channel, postgres, tokens);
  }

  /** Signs tokens the running service accepts. */
  TestKey tokens() {
    return tokens;
  }

  /** A blocking stub sending {@code accessToken}. */
  InventoryServiceBlockingStub stub(String accessToken) {
    return InventoryServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** A blocking stub of the service's OperationsService sending {@code accessToken}. */
  OperationsServiceGrpc.OperationsServiceBlockingStub operations(String accessToken) {
    return OperationsServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
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
