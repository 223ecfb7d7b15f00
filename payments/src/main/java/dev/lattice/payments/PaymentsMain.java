package dev.lattice.payments;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.payments.api.PaymentsGrpcService;
import io.grpc.BindableService;
import java.util.List;

/**
 * The payments service: PaymentsService on gRPC port 9104 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_payments}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class PaymentsMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new PaymentsMain());
  }

  @Override
  public String name() {
    return "payments";
  }

  @Override
  public int defaultPort() {
    return 9104;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of(new PaymentsGrpcService());
  }
}
