package dev.lattice.orders;

import com.google.protobuf.Message;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.orders.api.OrdersGrpcService;
import dev.lattice.orders.events.OrderEvents;
import dev.lattice.orders.events.OrderSaga;
import dev.lattice.orders.lifecycle.OrderLifecycle;
import dev.lattice.orders.placement.InventoryPrices;
import dev.lattice.orders.placement.OrderPlacement;
import dev.lattice.orders.placement.SagaAdmission;
import dev.lattice.orders.queries.OrderQueries;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.payments.v1.PaymentFailed;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.util.List;

/**
 * The orders service: OrdersService on gRPC port 9102 (override with {@code LATTICE_GRPC_PORT}),
 * its own database {@code lattice_orders}, inventory at {@code LATTICE_INVENTORY_TARGET} for
 * CreateOrder's prices, and the saga's consumers on the INVENTORY and PAYMENTS streams. Start-up
 * and drain follow {@link ServiceRuntime}.
 */
public final class OrdersMain implements ServiceModule {

  private Components components;

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

  /**
   * Orders' own settings: inventory's target and deadline, the bound on waiting orders ({@link
   * OrdersConfig}).
   */
  @Override
  public void checkConfig(Env env) {
    OrdersConfig.fromEnv(env);
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    Components c = components(context);
    return List.of(
        new OrdersGrpcService(
            new OrderPlacement(
                context.dsl(), c.prices(), c.admission(), c.events(), context.clock()),
            new OrderQueries(context.dsl(), PageTokens.fromEnv(context.env())),
            c.lifecycle()));
  }

  /**
   * The most PaymentCaptured events one transaction of {@code saga-payment-captured} handles: at
   * one commit per event it was the saga's next bottleneck once inventory and payments batched
   * theirs. Its handler locks the batch's orders first, in id order ({@link OrderSaga}).
   */
  static final int SAGA_BATCH = 32;

  /**
   * The saga (decision 0008): one durable consumer per event type, because a consumer with several
   * filter subjects needs nats-server 2.10+ and Debian ships 2.9. A consumer whose stream does not
   * exist yet (payments not started) keeps retrying until it does.
   */
  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    OrderSaga saga = new OrderSaga(components(context).lifecycle());
    return List.of(
        saga(context, "inventory", StockRejected.class, saga::stockRejected, 1),
        saga(context, "inventory", ReservationExpired.class, saga::reservationExpired, 1),
        saga(context, "payments", PaymentCaptured.class, saga::paymentCaptured, SAGA_BATCH),
        saga(context, "payments", PaymentFailed.class, saga::paymentFailed, 1));
  }

  /**
   * The count of waiting orders CreateOrder's admission reads; the channel to inventory. Both close
   * on drain, after the last call that could use them.
   */
  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    Components c = components(context);
    return List.of(c.admission().start(), c.prices());
  }

  /** Durable {@code saga-<event-name>} on {@code service}'s stream, for events of {@code type}. */
  private static <T extends Message> EventConsumer saga(
      ServiceContext context, String service, Class<T> type, EventHandler<T> handler, int batch) {
    var descriptor = com.google.protobuf.Internal.getDefaultInstance(type).getDescriptorForType();
    String durable = "saga-" + EventSubjects.eventName(descriptor).replace('_', '-');
    EventConsumer.Builder builder =
        context.consumerOf(durable, service, descriptor).handle(type, handler);
    return (batch > 1 ? builder.batchTransactions(batch) : builder).build();
  }

  /** Orders' parts, built once per start from the started infrastructure. */
  private record Components(
      ServiceContext context,
      InventoryPrices prices,
      SagaAdmission admission,
      OrderEvents events,
      OrderLifecycle lifecycle) {}

  private synchronized Components components(ServiceContext context) {
    if (components != null && components.context() == context) {
      return components;
    }
    OrdersConfig config = OrdersConfig.fromEnv(context.env());
    InventoryPrices prices =
        InventoryPrices.connect(
            config.inventoryTarget(), config.inventoryDeadline(), context.telemetry());
    OrderEvents events = new OrderEvents(context.outbox());
    components =
        new Components(
            context,
            prices,
            new SagaAdmission(context.dsl(), config.maxOpenSagas()),
            events,
            new OrderLifecycle(context.dsl(), events, context.clock()));
    return components;
  }
}
