package dev.lattice.inventory;

import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.inventory.api.InventoryGrpcService;
import dev.lattice.inventory.catalog.Catalog;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.stock.StockLevels;
import dev.lattice.platform.paging.PageTokens;
import io.grpc.BindableService;
import java.util.List;

/**
 * The inventory service: InventoryService on gRPC port 9103 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_inventory}. Start-up and drain follow {@link ServiceRuntime}.
 */
public final class InventoryMain implements ServiceModule {

  public static void main(String[] args) {
    ServiceRuntime.main(new InventoryMain());
  }

  @Override
  public String name() {
    return "inventory";
  }

  @Override
  public int defaultPort() {
    return 9103;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    InventoryEvents events = new InventoryEvents(context.outbox());
    Catalog catalog =
        new Catalog(context.dsl(), events, PageTokens.fromEnv(context.env()), context.clock());
    StockLevels stock = new StockLevels(context.dsl(), events, context.clock());
    return List.of(new InventoryGrpcService(catalog, stock));
  }
}
