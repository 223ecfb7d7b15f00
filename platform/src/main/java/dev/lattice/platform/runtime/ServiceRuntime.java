package dev.lattice.platform.runtime;

import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.auth.RemoteJwks;
import dev.lattice.platform.auth.RevokedSubjects;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.config.HealthConfig;
import dev.lattice.platform.consumer.DeadLetterMapper;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventPayloadTypes;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.events.StreamSettings;
import dev.lattice.platform.idempotency.IdempotencyPurger;
import dev.lattice.platform.idempotency.IdempotencyStore;
import dev.lattice.platform.outbox.OutboxRelay;
import dev.lattice.platform.outbox.OutboxRelayConfig;
import dev.lattice.platform.outbox.OutboxStatusReader;
import dev.lattice.platform.outbox.OutboxWriter;
import dev.lattice.platform.paging.PageTokens;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.config.ServerConfig;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.DatabaseProbe;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.grpc.Caller;
import dev.lattice.platform.grpc.GracefulShutdown;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.operations.OperationsGrpcService;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Lattice service the one way all six start (docs/architecture.md §4): configuration, telemetry, the
 * pool, migrations ({@code db/platform} then {@code db/migration/<name>}), NATS and its streams,
 * the token key source, the service's own gRPC services plus the shared operations service, all
 * behind authentication and the access rules their protos declare and with idempotency keys
 * enforced where their protos require them (expired keys purged hourly by {@link
 * IdempotencyPurger}), the outbox relay, the server, the {@linkplain DependencyHealth dependency
 * checks} that keep its health true to its database and NATS, then the service's consumers. Drain
 * runs it backwards: in-flight calls finish, consumers stop, the relay flushes, NATS closes, the
 * pool closes, telemetry flushes. Anything that fails on the way
 * closes what was already started, in reverse order, and the failure propagates. Before any of it,
 * {@link #checkConfig} reads every setting, so a misconfigured service fails before it connects
 * anywhere.
 */
public final class ServiceRuntime {

  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  /** NATS when {@code LATTICE_NATS_URL} is not set. */
  public static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

  /** The health reason while the service's database does not answer. */
  public static final String DATABASE_UNREACHABLE = "database unreachable";

  /** The health reason while the service's NATS connection is down or its server does not answer. */
  public static final String NATS_DISCONNECTED = "NATS disconnected";

  /** How long a draining service keeps publishing what its last calls wrote to the outbox. */
  private static final Duration RELAY_FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private ServiceRuntime() {}

  /**
   * A service's {@code main}: starts it from the process environment, drains on SIGTERM/SIGINT
   * and exits once the server has stopped. A start-up failure exits with status 1.
   */
  public static void main(ServiceModule module) {
    GracefulShutdown shutdown = GracefulShutdown.install(module.name());
    RunningService service;
    try {
      service = shutdown.register(module.name(), start(module, Env.system()));
    } catch (ConfigException e) {
      // The message names the variable and what it needs; a stack trace would only bury it.
      log.error("{} cannot start: {}", module.name(), e.getMessage());
      shutdown.closeAll();
      System.exit(1);
      return;
    } catch (RuntimeException e) {
      log.error("{} failed to start", module.name(), e);
      shutdown.closeAll();
      System.exit(1);
      return;
    }
    try {
      service.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Where a service's Flyway migrations live: {@code db/migration/<name>/}, a folder of its own so
   * that six services can share one classpath in {@code ./mesh up}.
   */
  public static String migrationLocation(String serviceName) {
    return "classpath:db/migration/" + serviceName;
  }

  /**
   * Reads every setting that {@link #start} of {@code module} reads, without starting or
   * connecting anything: the server ({@link ServerConfig}), the database ({@link DbConfig}),
   * token verification ({@link AuthConfig}), telemetry ({@link TelemetryConfig}), the dependency
   * checks behind health ({@link HealthConfig}), the NATS URL,
   * identity's target for the default key source, the trusted proxies, page tokens ({@link
   * PageTokens}) and, for a service that publishes events, its stream ({@link StreamSettings})
   * and outbox relay ({@link OutboxRelayConfig}); then the module's own ({@link
   * ServiceModule#checkConfig}). Start calls it first; a deployment check calls it with the
   * environment it will give the service.
   *
   * @throws ConfigException for the first setting that is missing or malformed, naming the
   *     variable; an {@link IllegalArgumentException} of a settings record becomes one, prefixed
   *     with the service's name
   */
  public static void checkConfig(ServiceModule module, Env env) {
    String name = module.name();
    try {
      ServerConfig.fromEnv(env, module.defaultPort());
      DbConfig.fromEnv(env, "lattice-" + name);
      AuthConfig.fromEnv(env);
      TelemetryConfig.fromEnv(env, name);
      HealthConfig.fromEnv(env);
      natsUrl(env);
      // Read by the default key source (RemoteJwks); a module with keys of its own ignores it.
      RemoteJwks.targetFromEnv(env);
      Caller.trustedProxies(env);
      PageTokens.fromEnv(env);
      if (module.publishesEvents()) {
        StreamSettings.fromEnv(env);
        OutboxRelayConfig.fromEnv(env);
      }
      module.checkConfig(env);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + ": " + e.getMessage(), e);
    }
  }

  /** Starts {@code module} on a Netty server at {@code LATTICE_GRPC_PORT} (or its default port). */
  public static RunningService start(ServiceModule module, Env env) {
    checkConfig(module, env);
    ServerConfig config = ServerConfig.fromEnv(env, module.defaultPort());
    return startChecked(
        module, env, NettyServerBuilder.forAddress(new InetSocketAddress(config.port())));
  }

  /**
   * Starts {@code module} on the given server builder, so tests can run the real service on an
   * in-process or loopback server.
   */
  public static RunningService start(ServiceModule module, Env env, ServerBuilder<?> serverBuilder) {
    checkConfig(module, env);
    return startChecked(module, env, serverBuilder);
  }

  private static String natsUrl(Env env) {
    return env.string("LATTICE_NATS_URL", DEFAULT_NATS_URL);
  }

  private static RunningService startChecked(
      ServiceModule module, Env env, ServerBuilder<?> serverBuilder) {
    String name = module.name();
    ServerConfig serverConfig = ServerConfig.fromEnv(env, module.defaultPort());
    DbConfig dbConfig = DbConfig.fromEnv(env, "lattice-" + name);
    AuthConfig authConfig = AuthConfig.fromEnv(env);
    String natsUrl = natsUrl(env);
    Telemetry telemetry = Telemetry.create(TelemetryConfig.fromEnv(env, name));
    Deque<AutoCloseable> started = new ArrayDeque<>();
    started.push(telemetry);
    try {
      Database database = Database.open(dbConfig);
      started.push(database);
      int applied = Migrations.migrate(database.dataSource(), migrationLocation(name));
      log.info("{}: {} migration(s) applied", name, applied);

      Connection nats = NatsConnector.connect(natsUrl, name);
      started.push(nats);
      JetStreamManagement streams = nats.jetStreamManagement();
      DeadLetters.ensureStream(streams);
      if (module.publishesEvents()) {
        EventStreams.ensureServiceStream(streams, name, StreamSettings.fromEnv(env));
      }
      DeadLetters deadLetters = new DeadLetters(nats);
      ServiceContext context =
          new ServiceContext(
              name, env, database.dsl(), telemetry, Clock.systemUTC(),
              OutboxWriter.create(name, telemetry), nats, deadLetters);

      KeySource keys = module.keySource(context);
      if (keys instanceof AutoCloseable closeableKeys) {
        started.push(closeableKeys);
      }
      // Tokens of users deleted since they were issued stop working before they expire.
      RevokedSubjects revoked = RevokedSubjects.follow(nats, context.clock());
      started.push(revoked);
      IdempotencyStore idempotency = new IdempotencyStore(database.dsl());
      LatticeServer.Builder builder =
          LatticeServer.builder(name, serverBuilder)
              .telemetry(telemetry)
              .trustedProxies(Caller.trustedProxies(env))
              .auth(new TokenVerifier(authConfig, keys, revoked, context.clock()))
              .idempotency(idempotency)
              .drainTimeout(serverConfig.drainTimeout())
              // Audit records and dead letters carry event payloads packed in Any.
              .reflectTypes(EventPayloadTypes.files())
              .addService(
                  new OperationsGrpcService(
                      name,
                      deadLetters,
                      new DeadLetterMapper(EventPayloadTypes.registry()),
                      new OutboxStatusReader(name, database.dsl()),
                      PageTokens.fromEnv(env)));
      module.services(context).forEach(builder::addService);
      List<EventConsumer> consumers = module.consumers(context);
      LatticeServer server = builder.build();

      // Drain hooks run in reverse: consumers stop first, then the relay publishes what the
      // drained calls wrote, then the NATS connection closes, then the token key source.
      // From here the server's drain owns what it closes.
      if (keys instanceof AutoCloseable closeableKeys) {
        server.onDrain("token keys", closeableKeys);
        started.remove(closeableKeys);
      }
      server.onDrain("nats", nats);
      started.remove(nats);
      server.onDrain("token revocations", revoked);
      started.remove(revoked);
      if (module.publishesEvents()) {
        OutboxRelay relay =
            OutboxRelay.builder(name, database.dsl(), nats)
                .config(OutboxRelayConfig.fromEnv(env))
                .telemetry(telemetry)
                .listenConnection(dbConfig)
                .build();
        server.onDrain("outbox relay", () -> {
          if (!relay.flush(RELAY_FLUSH_TIMEOUT)) {
            // Nothing is lost (the rows stay in the outbox), but the events leave late.
            log.warn("{}: the drain's outbox flush did not publish everything within {}; the rest goes"
                + " out when the service starts again", name, RELAY_FLUSH_TIMEOUT);
          }
          relay.close();
        });
        relay.start();
      }
      for (EventConsumer consumer : consumers) {
        server.onDrain("consumer " + consumer.spec().durableName(), consumer);
      }
      server.start();
      watchDependencies(name, HealthConfig.fromEnv(env), dbConfig, nats, server);
      consumers.forEach(EventConsumer::start);
      server.onDrain("idempotency purge", IdempotencyPurger.start(name, idempotency));
      for (AutoCloseable task : module.background(context)) {
        server.onDrain("background " + task.getClass().getSimpleName(), task);
      }
      return new RunningService(name, server, database, telemetry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeAll(started);
      throw new IllegalStateException(name + ": interrupted while starting", e);
    } catch (IOException e) {
      closeAll(started);
      throw new UncheckedIOException(name + ": cannot reach NATS at " + natsUrl, e);
    } catch (JetStreamApiException e) {
      closeAll(started);
      throw new IllegalStateException(name + ": cannot provision JetStream streams: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(started);
      throw e;
    }
  }

  /**
   * Health that tells the truth: {@code NOT_SERVING} with {@link #DATABASE_UNREACHABLE} or {@link
   * #NATS_DISCONNECTED} while the database or NATS does not answer, {@code SERVING} again once both
   * do. The monitor's drain hook is registered after those of the consumers, the relay and NATS, so
   * it stops before any of them: a clean stop logs no dependency failure.
   */
  private static void watchDependencies(
      String name, HealthConfig config, DbConfig db, Connection nats, LatticeServer server) {
    DatabaseProbe database = DatabaseProbe.of(db, config.timeout());
    server.onDrain("database probe", database);
    DependencyHealth monitor =
        DependencyHealth.start(
            name,
            config,
            List.of(
                new DependencyHealth.Check("database", DATABASE_UNREACHABLE, database::check),
                new DependencyHealth.Check(
                    "NATS", NATS_DISCONNECTED, () -> NatsConnector.probe(nats, config.timeout()))),
            verdict -> verdict.ifPresentOrElse(server::markNotServing, server::markServing));
    server.onDrain("dependency health", monitor);
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("while abandoning start-up: {}", e.toString());
      }
    }
  }
}
