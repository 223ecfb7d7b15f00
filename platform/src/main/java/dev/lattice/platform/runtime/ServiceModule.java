package dev.lattice.platform.runtime;

import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.auth.RemoteJwks;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.operations.ReadModel;
import io.grpc.BindableService;
import java.util.List;

/**
 * What a Lattice service adds to the shared runtime: its name, its default port, the gRPC services
 * it binds, the events it consumes and where its token keys come from. Implemented by each
 * service's main class.
 */
public interface ServiceModule {

  /** The service's short name ({@code orders}); names its database, stream, telemetry and logs. */
  String name();

  /** The gRPC port when {@code LATTICE_GRPC_PORT} is not set. */
  int defaultPort();

  /**
   * Whether the service publishes events: the runtime then provisions its stream ({@code ORDERS} on
   * {@code lattice.orders.>}) and runs its outbox relay. True unless overridden.
   */
  default boolean publishesEvents() {
    return true;
  }

  /**
   * Reads the service's own settings from {@code env} the way its start will, without starting or
   * connecting anything, and throws on the first one that is missing or malformed. {@link
   * ServiceRuntime#checkConfig} calls it after the platform's settings and before any start, so a
   * misconfigured service stops with one line naming the variable; checks of a deployment (the
   * compose file's environment) call it too. Nothing to check unless overridden.
   *
   * @throws dev.lattice.platform.config.ConfigException naming the variable (an {@link
   *     IllegalArgumentException} from a settings record is turned into one by the runtime)
   */
  default void checkConfig(Env env) {}

  /**
   * Builds the service's gRPC implementations from the started infrastructure. Called once, on the
   * starting thread, before the server accepts calls.
   */
  List<BindableService> services(ServiceContext context);

  /**
   * The service's durable consumers, built (not started) from {@link ServiceContext#consumer}; the
   * runtime starts them after the server and closes them on drain. None unless overridden.
   */
  default List<EventConsumer> consumers(ServiceContext context) {
    return List.of();
  }

  /**
   * The read models the service keeps from events, reported by {@code
   * OperationsService.GetReadModelStatus}; called once, after {@link #services}. None unless
   * overridden.
   */
  default List<ReadModel> readModels(ServiceContext context) {
    return List.of();
  }

  /**
   * Where the keys that verify callers' access tokens come from: identity's {@code GetJwks} at
   * {@code LATTICE_IDENTITY_TARGET} ({@link RemoteJwks#fromEnv}) unless overridden (identity reads
   * its own key store; tests pass a fixed key). Called once, before {@link #services}; a source
   * that is {@link AutoCloseable} is closed on drain, after the server has stopped.
   */
  default KeySource keySource(ServiceContext context) {
    return RemoteJwks.fromEnv(context.env(), context.telemetry(), context.clock());
  }

  /**
   * What the service runs beside its gRPC server (periodic housekeeping, an extra HTTP listener),
   * started by this call once the server accepts calls. The runtime closes each on drain, after the
   * in-flight calls finished and before the consumers stop. None unless overridden.
   */
  default List<AutoCloseable> background(ServiceContext context) {
    return List.of();
  }
}
