package dev.lattice.mesh;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.v1.AssignRoleRequest;
import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.InitialAdmin;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.ResetPasswordRequest;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.local.FreePorts;
import dev.lattice.local.PostgresServer;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * All six services in this JVM on free ports, each with its own database on the shared test
 * PostgreSQL and the shared test nats-server, as {@code ./mesh up} runs them, plus users of every
 * built-in role in the platform tenant.
 */
final class AuthFleet implements AutoCloseable {

  static final String ADMIN_EMAIL = "root@platform.test";
  static final String ADMIN_PASSWORD = "correct horse battery staple 42";
  static final String PASSWORD = "a long passphrase 1234";

  final String kek = KeyEncryption.randomBase64Kek();
  final Map<String, Integer> ports = new LinkedHashMap<>();
  final Map<String, String> identityDb = new HashMap<>();
  private final List<RunningService> running = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, String> verificationTokens = new ConcurrentHashMap<>();
  private final Map<String, String> resetTokens = new ConcurrentHashMap<>();
  private final Connection nats;

  /** The environment of each service, as it was started (or is to be started, if external). */
  final Map<String, Map<String, String>> environments = new LinkedHashMap<>();

  AuthFleet(PostgresExtension postgres, NatsExtension natsServer, Map<String, String> overrides)
      throws Exception {
    this(postgres, natsServer, overrides, Set.of());
  }

  /**
   * As above, but the services named in {@code external} only get their database and environment
   * ({@link #environments}, with {@code LATTICE_GRPC_PORT}); the test starts them, e.g. as a
   * separate process it can kill.
   */
  AuthFleet(
      PostgresExtension postgres,
      NatsExtension natsServer,
      Map<String, String> overrides,
      Set<String> external)
      throws Exception {
    this(postgres.server(), natsServer.url(), overrides, external);
  }

  /** On a PostgreSQL and a nats-server started by the caller (benchmarks). */
  AuthFleet(
      PostgresServer postgres, String natsUrl, Map<String, String> overrides, Set<String> external)
      throws Exception {
    nats = Nats.connect(natsUrl);
    nats.createDispatcher(
            message -> {
              try {
                Envelope envelope = Envelope.parseFrom(message.getData());
                if (envelope.getPayload().is(EmailVerificationRequested.class)) {
                  EmailVerificationRequested mail =
                      envelope.getPayload().unpack(EmailVerificationRequested.class);
                  verificationTokens.put(mail.getEmail(), mail.getToken());
                } else if (envelope.getPayload().is(PasswordResetRequested.class)) {
                  PasswordResetRequested mail =
                      envelope.getPayload().unpack(PasswordResetRequested.class);
                  resetTokens.put(mail.getEmail(), mail.getToken());
                }
              } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
              }
            })
        .subscribe("lattice.identity.>");
    nats.flush(Duration.ofSeconds(5));
    for (ServiceModule module : ServiceCatalog.MODULES) {
      ports.put(module.name(), FreePorts.next());
    }
    String runtimeRole = postgres.runtimeRole();
    for (ServiceModule module : ServiceCatalog.MODULES) {
      String database =
          "auth_" + module.name() + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
      postgres.createDatabase(database);
      Map<String, String> env = new HashMap<>();
      env.put("LATTICE_DB_URL", postgres.jdbcUrl(database));
      // As ./mesh up runs them: the non-owner role row-level security holds, the owner migrating.
      env.put("LATTICE_DB_USER", runtimeRole);
      env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
      env.put("LATTICE_NATS_URL", natsUrl);
      env.put("LATTICE_IDENTITY_TARGET", "127.0.0.1:" + ports.get("identity"));
      env.put("LATTICE_IDENTITY_KEK", kek);
      env.put("LATTICE_IDENTITY_BOOTSTRAP_EMAIL", ADMIN_EMAIL);
      env.put("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", ADMIN_PASSWORD);
      env.put("LATTICE_INVENTORY_TARGET", "127.0.0.1:" + ports.get("inventory"));
      env.putAll(overrides);
      if (module.name().equals("identity")) {
        identityDb.put("url", postgres.jdbcUrl(database));
        identityDb.put("user", postgres.user());
      }
      Map<String, String> withPort = new HashMap<>(env);
      withPort.put("LATTICE_GRPC_PORT", Integer.toString(ports.get(module.name())));
      environments.put(module.name(), Map.copyOf(withPort));
      if (external.contains(module.name())) {
        continue;
      }
      running.add(
          ServiceRuntime.start(
              module,
              Env.of(env),
              NettyServerBuilder.forAddress(
                  new InetSocketAddress("127.0.0.1", ports.get(module.name())))));
    }
  }

  ManagedChannel channel(String service) {
    return channels.computeIfAbsent(
        service,
        s -> NettyChannelBuilder.forAddress("127.0.0.1", ports.get(s)).usePlaintext().build());
  }

  IdentityServiceGrpc.IdentityServiceBlockingStub identity() {
    return IdentityServiceGrpc.newBlockingStub(channel("identity"))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** The code GetOrder of a random order answers with {@code token}: auth's verdict, or past it. */
  io.grpc.Status.Code getOrderWith(String token) {
    try {
      dev.lattice.orders.v1.OrdersServiceGrpc.newBlockingStub(channel("orders"))
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .withCallCredentials(BearerToken.of(token))
          .getOrder(
              dev.lattice.orders.v1.GetOrderRequest.newBuilder()
                  .setOrderId(java.util.UUID.randomUUID().toString())
                  .build());
      return io.grpc.Status.Code.OK;
    } catch (io.grpc.StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  LoginResponse loginAdmin() {
    return login(ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  LoginResponse login(String email, String password) {
    return identity()
        .login(
            LoginRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(email)
                .setPassword(password)
                .build());
  }

  /** Registers and verifies a user of the platform tenant, then grants {@code role} (or none). */
  User user(String email, String role) {
    identity()
        .register(
            RegisterRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(email)
                .setPassword(PASSWORD)
                .setDisplayName(email)
                .build());
    User user =
        identity()
            .verifyEmail(VerifyEmailRequest.newBuilder().setToken(awaitToken(email)).build())
            .getUser();
    if (role.equals("customer")) {
      return user;
    }
    return identity()
        .withCallCredentials(BearerToken.of(loginAdmin().getAccessToken()))
        .assignRole(
            AssignRoleRequest.newBuilder()
                .setUserId(user.getId())
                .setRole(role)
                .setVersion(user.getVersion())
                .build())
        .getUser();
  }

  /**
   * Creates tenant {@code slug} with its first admin, sets the admin's password through the
   * account-setup mail and logs the admin in.
   */
  LoginResponse tenantAdmin(String slug) {
    String email = "owner@" + slug + ".test";
    identity()
        .withCallCredentials(BearerToken.of(loginAdmin().getAccessToken()))
        .createTenant(
            CreateTenantRequest.newBuilder()
                .setSlug(slug)
                .setDisplayName(slug)
                .setInitialAdmin(InitialAdmin.newBuilder().setEmail(email).setDisplayName("Owner"))
                .build());
    identity()
        .resetPassword(
            ResetPasswordRequest.newBuilder()
                .setToken(awaitToken(resetTokens, email))
                .setNewPassword(PASSWORD)
                .build());
    return identity()
        .login(
            LoginRequest.newBuilder()
                .setTenantSlug(slug)
                .setEmail(email)
                .setPassword(PASSWORD)
                .build());
  }

  private String awaitToken(String email) {
    return awaitToken(verificationTokens, email);
  }

  private static String awaitToken(Map<String, String> tokens, String email) {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      String token = tokens.get(email);
      if (token != null) {
        return token;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no verification mail for " + email);
  }

  @Override
  public void close() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    nats.close();
  }
}
