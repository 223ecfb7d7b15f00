package dev.lattice.notifications;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.lattice.notifications.v1.NotificationsServiceGrpc.NotificationsServiceBlockingStub;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.FreePorts;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TrustingModule;
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
      RunningService service, ManagedChannel channel, PostgresExtension postgres, NotificationsTokens tokens) {
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
  static NotificationsHarness start(PostgresExtension postgres, NatsExtension nats, Map<String, String> settings) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.user());
    env.put("LATTICE_NATS_URL", nats.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    NotificationsTokens tokens = NotificationsTokens.generate();
    RunningService service = ServiceRuntime.start(
        new TrustingModule(new NotificationsMain(), tokens.keySource()), Env.of(env),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
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

  /** The first column of the first row of {@code sql} on notifications' database, or null. */
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

  /** The first column of every row of {@code sql}, as text. */
  List<String> sqlStrings(String sql, Object... params) {
    try (Connection connection = postgres.connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      List<String> out = new java.util.ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          out.add(rows.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
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
}
