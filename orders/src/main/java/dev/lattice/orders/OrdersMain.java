package dev.lattice.orders;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.orders.api.OrdersGrpcService;
import io.grpc.BindableService;
import java.util.List;

/**
 * The orders service: OrdersService on gRPC port 9102 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_orders}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class OrdersMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new OrdersMain());
  }

  @Override
  public String name() {
    return "orders";
  }

  @Override
  public int defaultPort() {
    return 9102;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of(new OrdersGrpcService());
  }
}
