package dev.lattice.identity;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.local.FreePorts;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real identity service for a test class: its own database on the shared test PostgreSQL, the
 * shared test nats-server, a Netty server on a free loopback port, and channels to it, optionally
 * from another loopback source address (127.0.0.2, …) to act as another client.
 */
public final class IdentityHarness implements AutoCloseable {

  /** The platform administrator every harness bootstraps. */
  public static final String ADMIN_EMAIL = "root@platform.test";

  /** Its password. */
  public static final String ADMIN_PASSWORD = "correct horse battery staple 42";

  private final RunningService service;
  private final int port;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ManagedChannel channel;
  private final Map<String, String> env;
  private final PostgresExtension postgres;

  private IdentityHarness(
      RunningService service, int port, Map<String, String> env, PostgresExtension postgres) {
    this.service = service;
    this.port = port;
    this.env = env;
    this.postgres = postgres;
    this.channel = channel("127.0.0.1");
  }

  /**
   * Starts identity.
   *
   * @param overrides extra environment (throttle limits, key activation delay, …)
   */
  public static IdentityHarness start(
      PostgresExtension postgres, NatsExtension nats, Map<String, String> overrides) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
    env.put("LATTICE_NATS_URL", nats.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    env.put("LATTICE_IDENTITY_KEK", KeyEncryption.randomBase64Kek());
    env.put("LATTICE_IDENTITY_BOOTSTRAP_EMAIL", ADMIN_EMAIL);
    env.put("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", ADMIN_PASSWORD);
    env.put("LATTICE_IDENTITY_TARGET", "127.0.0.1:" + port);
    env.putAll(overrides);
    RunningService service =
        ServiceRuntime.start(
            new IdentityMain(),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("0.0.0.0", port)));
    return new IdentityHarness(service, port, env, postgres);
  }

  /** The environment identity runs with. */
  public Map<String, String> env() {
    return env;
  }

  /** The gRPC port. */
  public int port() {
    return port;
  }

  /** A blocking stub from 127.0.0.1 without credentials. */
  public IdentityServiceBlockingStub stub() {
    return IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** A blocking stub from 127.0.0.1 sending {@code accessToken}. */
  public IdentityServiceBlockingStub stub(String accessToken) {
    return stub().withCallCredentials(BearerToken.of(accessToken));
  }

  /** The channel from 127.0.0.1. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A new channel whose connections come from {@code sourceAddress} (a loopback address). */
  public ManagedChannel channel(String sourceAddress) {
    ManagedChannel created =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .localSocketPicker(
                new NettyChannelBuilder.LocalSocketPicker() {
                  @Override
                  public java.net.SocketAddress createSocketAddress(
                      java.net.SocketAddress remoteAddress, io.grpc.Attributes attrs) {
                    return new InetSocketAddress(sourceAddress, 0);
                  }
                })
            .build();
    channels.add(created);
    return created;
  }

  /** Signs in as the platform administrator. */
  public LoginResponse loginAdmin() {
    return stub()
        .login(
            LoginRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(ADMIN_EMAIL)
                .setPassword(ADMIN_PASSWORD)
                .build());
  }

  /** Registers {@code email} in tenant "platform" and verifies it with the mailed token. */
  public void registerVerified(Mailbox mailbox, String email, String password) {
    register(email, password);
    stub()
        .verifyEmail(
            VerifyEmailRequest.newBuilder().setToken(mailbox.verificationToken(email)).build());
  }

  /** Registers {@code email} in tenant "platform" (status PENDING_VERIFICATION). */
  public void register(String email, String password) {
    stub()
        .register(
            RegisterRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(email)
                .setPassword(password)
                .setDisplayName("Test user")
                .build());
  }

  /** Signs in to tenant "platform". */
  public LoginResponse login(String email, String password) {
    return stub()
        .login(
            LoginRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(email)
                .setPassword(password)
                .build());
  }

  /** The first column of the first row of {@code sql} on identity's database, or null. */
  public Object sqlValue(String sql, Object... params) {
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

  /** {@link #sqlValue} as a long (counts). */
  public long sqlLong(String sql, Object... params) {
    return ((Number) sqlValue(sql, params)).longValue();
  }

  /** Runs an update on identity's database; returns the row count. */
  public int sqlUpdate(String sql, Object... params) {
    try (Connection connection = postgres.connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** The id of the live user holding {@code normalizedEmail}. */
  public UUID userId(String normalizedEmail) {
    return (UUID)
        sqlValue(
            "select id from users where email_normalized = ? and delete_time is null",
            normalizedEmail);
  }

  /** The google.rpc.Status a failed call carried. */
  public static com.google.rpc.Status rpcStatus(Throwable failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status in " + failure);
    }
    return status;
  }

  /** The detail of {@code type} a failed call carried, if any. */
  public static <T extends Message> Optional<T> detail(Throwable failure, Class<T> type) {
    for (Any any : rpcStatus(failure).getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Optional.empty();
  }

  /** The ErrorInfo reason a failed call carried. */
  public static String reason(Throwable failure) {
    return detail(failure, ErrorInfo.class)
        .orElseThrow(() -> new AssertionError("no ErrorInfo in " + failure))
        .getReason();
  }

  /** The status code of a failed call. */
  public static Status.Code code(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }

  /** Runs {@code call}, which must fail with a gRPC status, and returns the failure. */
  public static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded but was expected to fail");
  }

  @Override
  public void close() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    service.close();
  }
}
