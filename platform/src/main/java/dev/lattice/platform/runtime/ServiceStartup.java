package dev.lattice.platform.runtime;

import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.auth.RevokedSubjects;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.config.HealthConfig;
import dev.lattice.platform.config.ServerConfig;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.consumer.DeadLetterMapper;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.consumer.ServiceConsumers;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.DatabaseProbe;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.db.PeriodicPurge;
import dev.lattice.platform.db.RuntimeRole;
import dev.lattice.platform.events.EventPayloadTypes;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.events.StreamSettings;
import dev.lattice.platform.grpc.Caller;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.idempotency.IdempotencyStore;
import dev.lattice.platform.operations.OperationsGrpcService;
import dev.lattice.platform.outbox.OutboxRelay;
import dev.lattice.platform.outbox.OutboxRelayConfig;
import dev.lattice.platform.outbox.OutboxStatusReader;
import dev.lattice.platform.outbox.OutboxWriter;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.ratelimit.CallerRateLimits;
import dev.lattice.platform.ratelimit.RateLimitConfig;
import dev.lattice.platform.ratelimit.RateLimitInterceptor;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One start of one service, as {@link ServiceRuntime} documents it: one method per stage, in the
 * order of docs/architecture.md §4 (the configuration was checked before): telemetry, the pool and
 * migrations, jOOQ, NATS and the streams, the gRPC server, the outbox relay, the dependency checks,
 * the consumers and background jobs. Until the server's drain owns them, what each stage opened is
 * remembered, and a failure closes it in reverse order. Not thread-safe; use once, from the
 * starting thread.
 */
final class ServiceStartup {

  // Logs under the runtime's name, as before the stages had a class of their own.
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  /** How long a draining service keeps publishing what its last calls wrote to the outbox. */
  private static final Duration RELAY_FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final ServiceModule module;
  private final Env env;
  private final ServerBuilder<?> serverBuilder;
  private final String name;
  private final ServerConfig serverConfig;
  private final DbConfig dbConfig;
  private final AuthConfig authConfig;
  private final String natsUrl;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private Telemetry telemetry;
  private Database database;
  private DSLContext dsl;
  private IdempotencyStore idempotency;
  private CallerRateLimits rateLimits; // null while the limit is off
  private Connection nats;
  private ServiceContext context;
  private List<EventConsumer> consumers;
  private LatticeServer server;

  /** Reads the settings the stages use; {@link ServiceRuntime#checkConfig} has checked them. */
  ServiceStartup(ServiceModule module, Env env, ServerBuilder<?> serverBuilder, String natsUrl) {
    this.module = module;
    this.env = env;
    this.serverBuilder = serverBuilder;
    this.name = module.name();
    this.serverConfig = ServerConfig.fromEnv(env, module.defaultPort());
    this.dbConfig = DbConfig.fromEnv(env, "lattice-" + name);
    this.authConfig = AuthConfig.fromEnv(env);
    this.natsUrl = natsUrl;
  }

  /** Runs every stage; on failure closes what was started and rethrows. */
  RunningService run() {
    try {
      startTelemetry();
      openDatabase();
      useJooq();
      connectNats();
      buildServer();
      startRelay();
      startServer();
      watchDependencies();
      startConsumersAndJobs();
      return new RunningService(name, server, database, telemetry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeStarted();
      throw new IllegalStateException(name + ": interrupted while starting", e);
    } catch (IOException e) {
      closeStarted();
      throw new UncheckedIOException(name + ": cannot reach NATS at " + natsUrl, e);
    } catch (JetStreamApiException e) {
      closeStarted();
      throw new IllegalStateException(
          name + ": cannot provision JetStream streams: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeStarted();
      throw e;
    }
  }

  private void startTelemetry() {
    telemetry = Telemetry.create(TelemetryConfig.fromEnv(env, name));
    started.push(telemetry);
  }

  /**
   * The pool, then the migrations ({@code db/platform}, then the service's own) as the migration
   * role, then the runtime role's grants and its check (decision 0018).
   */
  private void openDatabase() {
    database = Database.open(dbConfig);
    started.push(database);
    int applied = Migrations.migrate(dbConfig, ServiceRuntime.migrationLocation(name));
    log.info("{}: {} migration(s) applied", name, applied);
    RuntimeRole.prepare(database.dataSource(), dbConfig);
  }

  /** jOOQ over the pool, and the idempotency keys the platform keeps with it. */
  private void useJooq() {
    dsl = database.dsl();
    idempotency = new IdempotencyStore(dsl);
  }

  /** NATS, DEAD_LETTERS and (for a publisher) the service's stream; then the module's context. */
  private void connectNats() throws IOException, JetStreamApiException, InterruptedException {
    nats = NatsConnector.connect(natsUrl, name);
    started.push(nats);
    JetStreamManagement streams = nats.jetStreamManagement();
    DeadLetters.ensureStream(streams);
    if (module.publishesEvents()) {
      EventStreams.ensureServiceStream(streams, name, StreamSettings.fromEnv(env));
    }
    DeadLetters deadLetters = new DeadLetters(nats);
    context =
        new ServiceContext(
            name,
            env,
            dsl,
            telemetry,
            Clock.systemUTC(),
            OutboxWriter.create(name, telemetry),
            nats,
            deadLetters);
  }

  /**
   * The server with the module's services and the operations service behind the interceptor chain,
   * not yet listening; its drain takes over closing the token keys, NATS and the revocations.
   */
  private void buildServer() {
    KeySource keys = module.keySource(context);
    if (keys instanceof AutoCloseable closeableKeys) {
      started.push(closeableKeys);
    }
    // Tokens of users deleted since they were issued stop working before they expire.
    RevokedSubjects revoked = RevokedSubjects.follow(nats, context.clock());
    started.push(revoked);
    List<BindableService> services = module.services(context);
    consumers = module.consumers(context);
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
                    context.deadLetters(),
                    new DeadLetterMapper(EventPayloadTypes.registry()),
                    new OutboxStatusReader(name, dsl),
                    new ServiceConsumers(name, consumers, nats),
                    PageTokens.fromEnv(env),
                    module.readModels(context)));
    RateLimitConfig rateLimit = RateLimitConfig.from(env);
    if (rateLimit.enabled()) {
      rateLimits = new CallerRateLimits(dsl, rateLimit);
      builder.interceptor(new RateLimitInterceptor(rateLimits));
    }
    services.forEach(builder::addService);
    server = builder.build();
    handOverToDrain(keys, revoked);
  }

  /**
   * Drain hooks run in reverse: consumers stop first, then the relay publishes what the drained
   * calls wrote, then the NATS connection closes, then the token key source. From here the server's
   * drain owns what it closes.
   */
  private void handOverToDrain(KeySource keys, RevokedSubjects revoked) {
    if (keys instanceof AutoCloseable closeableKeys) {
      server.onDrain("token keys", closeableKeys);
      started.remove(closeableKeys);
    }
    server.onDrain("nats", nats);
    started.remove(nats);
    server.onDrain("token revocations", revoked);
    started.remove(revoked);
  }

  /** For a publisher: the relay, flushed and closed by the drain after the consumers stop. */
  private void startRelay() {
    if (!module.publishesEvents()) {
      return;
    }
    OutboxRelay relay =
        OutboxRelay.builder(name, dsl, nats)
            .config(OutboxRelayConfig.fromEnv(env))
            .telemetry(telemetry)
            .listenConnection(dbConfig)
            .build();
    server.onDrain(
        "outbox relay",
        () -> {
          if (!relay.flush(RELAY_FLUSH_TIMEOUT)) {
            // Nothing is lost (the rows stay in the outbox), but the events leave late.
            log.warn(
                "{}: the drain's outbox flush did not publish everything within {}; the rest goes"
                    + " out when the service starts again",
                name,
                RELAY_FLUSH_TIMEOUT);
          }
          relay.close();
        });
    relay.start();
  }

  /** Registers the consumers' drain hooks (after the relay's, so they stop first), then listens. */
  private void startServer() {
    for (EventConsumer consumer : consumers) {
      server.onDrain("consumer " + consumer.spec().durableName(), consumer);
    }
    server.start();
  }

  /**
   * Health that tells the truth: {@code NOT_SERVING} with {@link
   * ServiceRuntime#DATABASE_UNREACHABLE} or {@link ServiceRuntime#NATS_DISCONNECTED} while the
   * database or NATS does not answer, {@code SERVING} again once both do. The monitor's drain hook
   * is registered after those of the consumers, the relay and NATS, so it stops before any of them:
   * a clean stop logs no dependency failure.
   */
  private void watchDependencies() {
    HealthConfig config = HealthConfig.fromEnv(env);
    DatabaseProbe probe = DatabaseProbe.of(dbConfig, config.timeout());
    server.onDrain("database probe", probe);
    DependencyHealth monitor =
        DependencyHealth.start(
            name,
            config,
            List.of(
                new DependencyHealth.Check(
                    "database", ServiceRuntime.DATABASE_UNREACHABLE, probe::check),
                new DependencyHealth.Check(
                    "NATS",
                    ServiceRuntime.NATS_DISCONNECTED,
                    () -> NatsConnector.probe(nats, config.timeout()))),
            verdict -> verdict.ifPresentOrElse(server::markNotServing, server::markServing));
    server.onDrain("dependency health", monitor);
  }

  /**
   * The module's consumers, the purges of expired idempotency keys and idle rate-limit buckets, its
   * background jobs.
   */
  private void startConsumersAndJobs() {
    consumers.forEach(EventConsumer::start);
    server.onDrain(
        "idempotency purge",
        PeriodicPurge.start(
            name + "-idempotency-purge",
            IdempotencyStore.PURGE_INTERVAL,
            idempotency::purgeExpired,
            "expired idempotency key(s)"));
    if (rateLimits != null) {
      server.onDrain(
          "rate limit purge",
          PeriodicPurge.start(
              name + "-rate-limit-purge",
              CallerRateLimits.PURGE_INTERVAL,
              rateLimits::purgeIdle,
              "idle rate limit bucket(s)"));
    }
    for (AutoCloseable task : module.background(context)) {
      server.onDrain("background " + task.getClass().getSimpleName(), task);
    }
  }

  private void closeStarted() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("while abandoning start-up: {}", e.toString());
      }
    }
  }
}
