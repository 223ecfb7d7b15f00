package dev.lattice.inventory;

import com.google.protobuf.Descriptors.Descriptor;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.inventory.api.InventoryGrpcService;
import dev.lattice.inventory.catalog.Catalog;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.events.OrderCancelledHandler;
import dev.lattice.inventory.events.OrderCreatedHandler;
import dev.lattice.inventory.events.OrderPaidHandler;
import dev.lattice.inventory.events.OrderRefundedHandler;
import dev.lattice.inventory.events.SearchIndexer;
import dev.lattice.inventory.media.ClamdScanner;
import dev.lattice.inventory.media.MediaCleanupJob;
import dev.lattice.inventory.media.MediaConfig;
import dev.lattice.inventory.media.MediaLibrary;
import dev.lattice.inventory.media.MediaScanJob;
import dev.lattice.inventory.media.ObjectStorage;
import dev.lattice.inventory.media.S3ObjectStorage;
import dev.lattice.inventory.search.CatalogSearch;
import dev.lattice.inventory.stock.ReservationExpiryJob;
import dev.lattice.inventory.stock.ReservationTransitions;
import dev.lattice.inventory.stock.Reservations;
import dev.lattice.inventory.stock.StockLevels;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.operations.ReadModel;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inventory service: InventoryService on gRPC port 9103 (override with {@code
 * LATTICE_GRPC_PORT}), its own database {@code lattice_inventory}. Start-up and drain follow {@link
 * ServiceRuntime}. Its side of the order saga runs on events: consumers of the ORDERS stream and
 * the reservation expiry job.
 */
public final class InventoryMain implements ServiceModule {

  /** The service whose events inventory consumes. */
  private static final String ORDERS = "orders";

  /** The service whose TenantCreated sets a tenant's search language. */
  private static final String IDENTITY = "identity";

  private Components components;

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

  /** Inventory's own settings: reservation lifetime and expiry pace ({@link InventoryConfig}). */
  @Override
  public void checkConfig(Env env) {
    InventoryConfig.fromEnv(env);
    MediaConfig.fromEnv(env);
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    Components c = components(context);
    Catalog catalog = new Catalog(context.dsl(), c.events(), c.pageTokens(), context.clock());
    StockLevels stock = new StockLevels(context.dsl(), c.events(), context.clock());
    // Product media only where object storage and a scanner are configured: elsewhere its RPCs
    // answer UNIMPLEMENTED (decision 0023).
    return List.of(
        new InventoryGrpcService(catalog, stock, c.search(), c.media().map(MediaParts::library)));
  }

  /**
   * The saga's consumers on the ORDERS stream (decision 0008), one durable per event type because a
   * consumer with several filter subjects needs nats-server 2.10: {@code inventory-order-created},
   * {@code inventory-order-paid}, {@code inventory-order-cancelled} and {@code
   * inventory-order-refunded}. Their order relative to each other does not matter: every transition
   * is guarded by the reservation's status.
   *
   * <p>And the search indexer (decision 0022): {@code inventory-search} on inventory's own stream,
   * every subject, keeping the catalog's search documents, and {@code inventory-search-tenants} on
   * identity's TenantCreated, the language each tenant's catalog is searched in. The indexer's
   * writes are upserts guarded by version, so its batches need no locks taken in order: two batches
   * that deadlock (replicas) roll back and run event by event.
   */
  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    Components c = components(context);
    ReservationTransitions transitions = c.transitions();
    return List.of(
        consumer(context, OrderCreated.getDescriptor())
            .handle(OrderCreated.class, new OrderCreatedHandler(c.reservations()))
            .batchTransactions(RESERVATION_BATCH)
            .build(),
        consumer(context, OrderPaid.getDescriptor())
            .handle(OrderPaid.class, new OrderPaidHandler(transitions))
            .batchTransactions(RESERVATION_BATCH)
            .build(),
        consumer(context, OrderCancelled.getDescriptor())
            .handle(OrderCancelled.class, new OrderCancelledHandler(transitions))
            .build(),
        consumer(context, OrderRefunded.getDescriptor())
            .handle(OrderRefunded.class, new OrderRefundedHandler(transitions))
            .build(),
        SearchIndexer.handleInventoryEvents(
                context.consumer(
                    SEARCH_CONSUMERS.get(0),
                    EventSubjects.streamName(name()),
                    EventSubjects.streamSubjects(name())),
                c.search())
            .batchTransactions(SEARCH_BATCH)
            .build(),
        SearchIndexer.handleTenantCreated(
                context.consumerOf(
                    SEARCH_CONSUMERS.get(1), IDENTITY, TenantCreated.getDescriptor()),
                c.search())
            .build());
  }

  /** The catalog's search index (decision 0022), rebuildable through OperationsService. */
  @Override
  public List<ReadModel> readModels(ServiceContext context) {
    return List.of(components(context).search());
  }

  /** The search indexer's durable consumers. */
  static final List<String> SEARCH_CONSUMERS =
      List.of("inventory-search", "inventory-search-tenants");

  /**
   * The most OrderCreated events one transaction reserves. One event per transaction made this
   * consumer the saga's bottleneck: each waited for its own commit's log flush, and the backlog of
   * OrderCreated grew while every other consumer kept up. The batch's rows are locked first, in one
   * order ({@link dev.lattice.inventory.stock.LockedStock}), so batches cannot deadlock.
   */
  static final int RESERVATION_BATCH = 32;

  /** The most events one transaction of the search indexer applies. */
  static final int SEARCH_BATCH = 64;

  /** The reservation expiry job, every {@code LATTICE_INVENTORY_EXPIRY_INTERVAL}. */
  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    Components c = components(context);
    List<AutoCloseable> jobs = new ArrayList<>();
    jobs.add(
        new ReservationExpiryJob(context.dsl(), c.transitions(), c.config().expiryInterval())
            .start());
    c.media()
        .ifPresent(
            m -> {
              jobs.add(m.storage());
              jobs.add(m.scanJob().start());
              jobs.add(m.cleanupJob().start());
            });
    return jobs;
  }

  private static EventConsumer.Builder consumer(ServiceContext context, Descriptor event) {
    String eventName = EventSubjects.eventName(event);
    return context.consumerOf("inventory-" + eventName.replace('_', '-'), ORDERS, event);
  }

  /** Inventory's shared parts, built once per start from the started infrastructure. */
  private record Components(
      ServiceContext context,
      InventoryConfig config,
      InventoryEvents events,
      Reservations reservations,
      ReservationTransitions transitions,
      PageTokens pageTokens,
      CatalogSearch search,
      Optional<MediaParts> media) {}

  /** Product media's parts, when configured (decision 0023). */
  private record MediaParts(
      ObjectStorage storage,
      MediaLibrary library,
      MediaScanJob scanJob,
      MediaCleanupJob cleanupJob) {}

  private static MediaParts media(
      ServiceContext context, MediaConfig config, InventoryEvents events, PageTokens pageTokens) {
    ObjectStorage storage = new S3ObjectStorage(config);
    MediaScanJob scanJob =
        new MediaScanJob(
            context.dsl(),
            storage,
            new ClamdScanner(
                config.clamdHost(),
                config.clamdPort(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(60)),
            events,
            context.clock(),
            config.scanInterval(),
            context.telemetry().meter("dev.lattice.inventory.media"));
    MediaCleanupJob cleanupJob =
        new MediaCleanupJob(context.dsl(), storage, config, context.clock());
    MediaLibrary library =
        new MediaLibrary(
            context.dsl(), config, storage, events, pageTokens, context.clock(), scanJob::wake);
    return new MediaParts(storage, library, scanJob, cleanupJob);
  }

  private synchronized Components components(ServiceContext context) {
    if (components != null && components.context() == context) {
      return components;
    }
    InventoryConfig config = InventoryConfig.fromEnv(context.env());
    InventoryEvents events = new InventoryEvents(context.outbox());
    Reservations reservations = new Reservations(events, config.reservationTtl(), context.clock());
    ReservationTransitions transitions =
        new ReservationTransitions(events, config.reservationTtl(), context.clock());
    PageTokens pageTokens = PageTokens.fromEnv(context.env());
    CatalogSearch search =
        new CatalogSearch(
            context.dsl(),
            pageTokens,
            context.clock(),
            context.telemetry().meter("dev.lattice.inventory.search"),
            SEARCH_CONSUMERS);
    Optional<MediaParts> media =
        MediaConfig.fromEnv(context.env()).map(m -> media(context, m, events, pageTokens));
    components =
        new Components(
            context, config, events, reservations, transitions, pageTokens, search, media);
    return components;
  }
}
