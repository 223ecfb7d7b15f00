package dev.lattice.mesh;

import dev.lattice.audit.AuditMain;
import dev.lattice.identity.IdentityMain;
import dev.lattice.inventory.InventoryMain;
import dev.lattice.notifications.NotificationsMain;
import dev.lattice.orders.OrdersMain;
import dev.lattice.payments.PaymentsMain;
import dev.lattice.platform.runtime.ServiceModule;
import java.util.List;

/** The six services in start order (identity first: the others will verify its tokens). */
final class ServiceCatalog {

  static final List<ServiceModule> MODULES =
      List.of(
          new IdentityMain(),
          new OrdersMain(),
          new InventoryMain(),
          new PaymentsMain(),
          new NotificationsMain(),
          new AuditMain());

  private ServiceCatalog() {}

  /** The database a service owns: {@code lattice_<name>}. */
  static String databaseOf(ServiceModule module) {
    return "lattice_" + module.name();
  }
}
