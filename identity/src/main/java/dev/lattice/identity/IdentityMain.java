package dev.lattice.identity;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.identity.api.IdentityGrpcService;
import io.grpc.BindableService;
import java.util.List;

/**
 * The identity service: IdentityService on gRPC port 9101 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_identity}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class IdentityMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new IdentityMain());
  }

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public int defaultPort() {
    return 9101;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of(new IdentityGrpcService());
  }
}
