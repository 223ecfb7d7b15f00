package dev.lattice.audit;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.audit.v1.AuditServiceGrpc.AuditServiceBlockingStub;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.FreePorts;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real audit service for a test class: its own database on the shared test PostgreSQL,
 * the shared test nats-server, a Netty server on a free loopback port, and access tokens signed by
 * a test key the service trusts instead of identity's JWKS.
 */
final class AuditHarness implements AutoCloseable {

  private final RunningService service;
  private final ManagedChannel channel;
  private final PostgresExtension postgres;
  private final AuditTokens tokens;

  private AuditHarness(
      RunningService service, ManagedChannel channel, PostgresExtension postgres, AuditTokens tokens) {
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
   * LATTICE_PAGE_TOKEN_TTL}). Several instances on one {@code postgres} share the
   * database and the durable consumers, like replicas.
   */
  static AuditHarness start(PostgresExtension postgres, NatsExtension nats, Map<String, String> settings) {
    return start(postgres, nats.url(), settings);
  }

  /** Starts audit against the nats-server at {@code natsUrl}. */
  static AuditHarness start(PostgresExtension postgres, String natsUrl, Map<String, String> settings) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.user());
    env.put("LATTICE_NATS_URL", natsUrl);
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    AuditTokens tokens = AuditTokens.generate();
    RunningService service = ServiceRuntime.start(
        new TrustingTestKey(new AuditMain(), tokens), Env.of(env),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return new AuditHarness(service, channel, postgres, tokens);
  }

  /** Signs tokens the running service accepts. */
  AuditTokens tokens() {
    return tokens;
  }

  /** A blocking stub sending {@code accessToken}. */
  AuditServiceBlockingStub stub(String accessToken) {
    return AuditServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** The first column of the first row of {@code sql} on audit's database, or null. */
  Object sqlValue(String sql, Object... params) {
    try (Connection connection = postgres.connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getObject(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A new JDBC connection to audit's database as the test server's superuser. */
  Connection connect() throws SQLException {
    return postgres.connect();
  }

  /** {@link #sqlValue} as a long (counts). */
  long sqlLong(String sql, Object... params) {
    return ((Number) sqlValue(sql, params)).longValue();
  }

  /** Runs {@code call}, which must fail with a gRPC status, and returns the failure. */
  static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded but was expected to fail");
  }

  /** The status code of a failed call. */
  static Status.Code code(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }

  /** The ErrorInfo a failed call carried. */
  static ErrorInfo errorInfo(Throwable failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status in " + failure);
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        try {
          return any.unpack(ErrorInfo.class);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new AssertionError("no ErrorInfo in " + failure);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    service.close();
  }

  /** AuditMain with the test key as the only trusted signing key. */
  private record TrustingTestKey(ServiceModule delegate, AuditTokens tokens) implements ServiceModule {

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public int defaultPort() {
      return delegate.defaultPort();
    }

    @Override
    public boolean publishesEvents() {
      return delegate.publishesEvents();
    }

    @Override
    public List<BindableService> services(ServiceContext context) {
      return delegate.services(context);
    }

    @Override
    public List<EventConsumer> consumers(ServiceContext context) {
      return delegate.consumers(context);
    }

    @Override
    public KeySource keySource(ServiceContext context) {
      return tokens.keySource();
    }

    @Override
    public List<AutoCloseable> background(ServiceContext context) {
      return delegate.background(context);
    }
  }
}
