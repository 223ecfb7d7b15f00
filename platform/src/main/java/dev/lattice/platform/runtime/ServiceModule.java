package dev.lattice.platform.runtime;

import io.grpc.BindableService;
import java.util.List;

/**
 * What a Lattice service adds to the shared runtime: its name, its default port and the gRPC
 * services it binds once the infrastructure is up. Implemented by each service's main class.
 */
public interface ServiceModule {

  /** The service's short name ({@code orders}); names its database, telemetry and logs. */
  String name();

  /** The gRPC port when {@code LATTICE_GRPC_PORT} is not set. */
  int defaultPort();

  /**
   * Builds the service's gRPC implementations from the started infrastructure. Called once, on
   * the starting thread, before the server accepts calls.
   */
  List<BindableService> services(ServiceContext context);
}
