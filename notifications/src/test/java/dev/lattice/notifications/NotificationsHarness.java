package dev.lattice.notifications;

import dev.lattice.local.FreePorts;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.notifications.v1.NotificationsServiceGrpc.NotificationsServiceBlockingStub;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.SqlProbe;
import dev.lattice.testing.service.TrustingModule;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real notifications service for a test class: its own database on the shared test PostgreSQL,
 * the shared test nats-server, a Netty server on a free loopback port, and access tokens signed by
 * a test key the service trusts instead of identity's JWKS.
 */
final class NotificationsHarness implements AutoCloseable {

  private final RunningService service;
  private final ManagedChannel channel;
  private final PostgresExtension postgres;
  private final NotificationsTokens tokens;

  private NotificationsHarness(
      RunningService service,
      ManagedChannel channel,
      PostgresExtension postgres,
      NotificationsTokens tokens) {
    this.service = service;
    this.channel = channel;
    this.postgres = postgres;
    this.tokens = tokens;
  }

  /** Starts notifications. */
  static NotificationsHarness start(PostgresExtension postgres, NatsExtension nats) {
    return start(postgres, nats, Map.of());
  }

  /**
   * Starts notifications with {@code settings} added to its environment (SMTP servers, short
   * backoffs and rate windows for tests). Several instances on one {@code postgres} share the
   * database and the durable consumers, like replicas.
   */
  static NotificationsHarness start(
      PostgresExtension postgres, NatsExtension nats, Map<String, String> settings) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
    env.put("LATTICE_NATS_URL", nats.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    NotificationsTokens tokens = NotificationsTokens.generate();
    RunningService service =
        ServiceRuntime.start(
            new TrustingModule(new NotificationsMain(), tokens.keySource()),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return new NotificationsHarness(service, channel, postgres, tokens);
  }

  /** Signs tokens the running service accepts. */
  NotificationsTokens tokens() {
    return tokens;
  }

  /** A blocking stub sending {@code accessToken}. */
  NotificationsServiceBlockingStub stub(String accessToken) {
    return NotificationsServiceGrpc.newBlockingStub(channel)
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

  /** The first column of every row of {@code sql}, as text. */
  List<String> sqlStrings(String sql, Object... params) {
    return new SqlProbe(postgres::connect).strings(sql, params);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    service.close();
  }
}
