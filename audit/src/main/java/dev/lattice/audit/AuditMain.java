package dev.lattice.audit;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.audit.api.AuditGrpcService;
import io.grpc.BindableService;
import java.util.List;

/**
 * The audit service: AuditService on gRPC port 9106 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_audit}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class AuditMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new AuditMain());
  }

  @Override
  public String name() {
    return "audit";
  }

  @Override
  public int defaultPort() {
    return 9106;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of(new AuditGrpcService());
  }
}
