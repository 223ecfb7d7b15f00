package dev.lattice.platform.runtime;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.config.ServerConfig;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.grpc.GracefulShutdown;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.operations.OperationsGrpcService;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Lattice service the one way all six start (STYLE.md): configuration, telemetry, the
 * pool, migrations ({@code db/platform} then {@code db/migration/<name>}), the service's own gRPC
 * services plus the shared operations service, then the server. Anything that fails on the way
 * closes what was already started, in reverse order, and the failure propagates.
 */
public final class ServiceRuntime {

  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

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

  /** Starts {@code module} on a Netty server at {@code LATTICE_GRPC_PORT} (or its default port). */
  public static RunningService start(ServiceModule module, Env env) {
    ServerConfig config = ServerConfig.fromEnv(env, module.defaultPort());
    return start(module, env, NettyServerBuilder.forAddress(new InetSocketAddress(config.port())));
  }

  /**
   * Starts {@code module} on the given server builder, so tests can run the real service on an
   * in-process or loopback server.
   */
  public static RunningService start(ServiceModule module, Env env, ServerBuilder<?> serverBuilder) {
    String name = module.name();
    ServerConfig serverConfig = ServerConfig.fromEnv(env, module.defaultPort());
    Telemetry telemetry = Telemetry.create(TelemetryConfig.fromEnv(env, name));
    Database database = null;
    try {
      database = Database.open(DbConfig.fromEnv(env, "lattice-" + name));
      int applied = Migrations.migrate(database.dataSource(), migrationLocation(name));
      log.info("{}: {} migration(s) applied", name, applied);
      ServiceContext context = new ServiceContext(name, env, database.dsl(), telemetry, Clock.systemUTC());
      LatticeServer.Builder builder =
          LatticeServer.builder(name, serverBuilder)
              .telemetry(telemetry)
              .drainTimeout(serverConfig.drainTimeout())
              .addService(new OperationsGrpcService());
      for (BindableService service : module.services(context)) {
        builder.addService(service);
      }
      LatticeServer server = builder.build().start();
      return new RunningService(name, server, database, telemetry);
    } catch (RuntimeException e) {
      if (database != null) {
        database.close();
      }
      telemetry.close();
      throw e;
    }
  }
}
