package dev.lattice.platform.runtime;

import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.RemoteJwks;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.config.HealthConfig;
import dev.lattice.platform.config.ServerConfig;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.events.StreamSettings;
import dev.lattice.platform.grpc.Caller;
import dev.lattice.platform.grpc.GracefulShutdown;
import dev.lattice.platform.outbox.OutboxRelayConfig;
import dev.lattice.platform.paging.PageTokens;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Lattice service the one way all six start (docs/architecture.md §4): configuration,
 * telemetry, the pool, migrations ({@code db/platform} then {@code db/migration/<name>}), NATS and
 * its streams, the token key source, the service's own gRPC services plus the shared operations
 * service, all behind authentication and the access rules their protos declare and with idempotency
 * keys enforced where their protos require them (expired keys purged hourly, as are idle rate-limit
 * buckets, by a {@link dev.lattice.platform.db.PeriodicPurge}), the outbox relay, the server, the
 * {@linkplain DependencyHealth dependency checks} that keep its health true to its database and
 * NATS, then the service's consumers. Drain runs it backwards: in-flight calls finish, consumers
 * stop, the relay flushes, NATS closes, the pool closes, telemetry flushes. Anything that fails on
 * the way closes what was already started, in reverse order, and the failure propagates. Before any
 * of it, {@link #checkConfig} reads every setting, so a misconfigured service fails before it
 * connects anywhere. Each stage is one method of {@code ServiceStartup}, in this order.
 * Thread-safe: it holds no state.
 */
public final class ServiceRuntime {

  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  /** NATS when {@code LATTICE_NATS_URL} is not set. */
  public static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

  /** The health reason while the service's database does not answer. */
  public static final String DATABASE_UNREACHABLE = "database unreachable";

  /**
   * The health reason while the service's NATS connection is down or its server does not answer.
   */
  public static final String NATS_DISCONNECTED = "NATS disconnected";

  private ServiceRuntime() {}

  /**
   * A service's {@code main}: starts it from the process environment, drains on SIGTERM/SIGINT and
   * exits once the server has stopped. A start-up failure exits with status 1.
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
   * Reads every setting that {@link #start} of {@code module} reads, without starting or connecting
   * anything: the server ({@link ServerConfig}), the database ({@link DbConfig}), token
   * verification ({@link AuthConfig}), telemetry ({@link TelemetryConfig}), the dependency checks
   * behind health ({@link HealthConfig}), the NATS URL, identity's target for the default key
   * source, the trusted proxies, page tokens ({@link PageTokens}) and, for a service that publishes
   * events, its stream ({@link StreamSettings}) and outbox relay ({@link OutboxRelayConfig}); then
   * the module's own ({@link ServiceModule#checkConfig}). Start calls it first; a deployment check
   * calls it with the environment it will give the service.
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
  public static RunningService start(
      ServiceModule module, Env env, ServerBuilder<?> serverBuilder) {
    checkConfig(module, env);
    return startChecked(module, env, serverBuilder);
  }

  private static String natsUrl(Env env) {
    return env.string("LATTICE_NATS_URL", DEFAULT_NATS_URL);
  }

  private static RunningService startChecked(
      ServiceModule module, Env env, ServerBuilder<?> serverBuilder) {
    return new ServiceStartup(module, env, serverBuilder, natsUrl(env)).run();
  }
}
