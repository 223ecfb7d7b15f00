package dev.lattice.inventory.events;

import com.google.protobuf.Timestamp;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.inventory.search.CatalogSearch;
import dev.lattice.inventory.v1.ProductCreated;
import dev.lattice.inventory.v1.ProductDeleted;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockAdjusted;
import dev.lattice.inventory.v1.StockCommitted;
import dev.lattice.inventory.v1.StockReleased;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.inventory.v1.StockReturned;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The search indexer's handlers (decision 0022): each hands one event of inventory's own stream to
 * {@link CatalogSearch}, which keeps the newest version of each document's product and stock sides;
 * and the tenant's catalog language from identity's TenantCreated. Thin by design.
 */
public final class SearchIndexer {

  private SearchIndexer() {}

  /** Registers the handlers of inventory's product and stock events on {@code consumer}. */
  public static EventConsumer.Builder handleInventoryEvents(
      EventConsumer.Builder consumer, CatalogSearch search) {
    return consumer
        .handle(
            ProductCreated.class,
            (context, e) -> {
              UUID tenant = EventIds.tenant(context);
              search.productChanged(context.tx(), tenant, e.getProduct(), time(context));
              search.productStocked(
                  context.tx(),
                  tenant,
                  EventIds.uuid("product.id", e.getProduct().getId()),
                  e.getInitialStock(),
                  time(context));
            })
        .handle(
            ProductUpdated.class,
            (context, e) ->
                search.productChanged(
                    context.tx(), EventIds.tenant(context), e.getProduct(), time(context)))
        .handle(
            ProductDeleted.class,
            (context, e) ->
                search.productDeleted(
                    context.tx(),
                    EventIds.tenant(context),
                    EventIds.uuid("product_id", e.getProductId()),
                    context.envelope().getAggregateVersion(),
                    time(context)))
        .handle(StockAdjusted.class, (context, e) -> stock(search, context, List.of(e.getStock())))
        .handle(StockReserved.class, (context, e) -> stock(search, context, e.getStockList()))
        .handle(StockCommitted.class, (context, e) -> stock(search, context, e.getStockList()))
        .handle(StockReleased.class, (context, e) -> stock(search, context, e.getStockList()))
        .handle(StockReturned.class, (context, e) -> stock(search, context, e.getStockList()))
        .handle(ReservationExpired.class, (context, e) -> stock(search, context, e.getStockList()))
        .ignoreUnhandledTypes();
  }

  /** Registers the handler of identity's TenantCreated on {@code consumer}. */
  public static EventConsumer.Builder handleTenantCreated(
      EventConsumer.Builder consumer, CatalogSearch search) {
    return consumer.handle(
        TenantCreated.class,
        (context, e) ->
            search.tenantCreated(
                context.tx(), EventIds.tenant(context), e.getInitialAdminLocale()));
  }

  private static void stock(
      CatalogSearch search, EventContext context, List<dev.lattice.inventory.v1.Stock> stock) {
    search.stockChanged(context.tx(), EventIds.tenant(context), stock, time(context));
  }

  private static Instant time(EventContext context) {
    Timestamp t = context.envelope().getOccurredAt();
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
