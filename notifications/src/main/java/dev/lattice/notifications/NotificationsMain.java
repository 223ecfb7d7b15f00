package dev.lattice.notifications;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.notifications.api.NotificationsGrpcService;
import io.grpc.BindableService;
import java.util.List;

/**
 * The notifications service: NotificationsService on gRPC port 9105 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_notifications}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class NotificationsMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new NotificationsMain());
  }

  @Override
  public String name() {
    return "notifications";
  }

  @Override
  public int defaultPort() {
    return 9105;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of(new NotificationsGrpcService());
  }
}
