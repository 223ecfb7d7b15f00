package dev.lattice.payments;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderRefunded;
import dev.lattice.payments.api.PaymentsGrpcService;
import dev.lattice.payments.events.ChargeHandlers;
import dev.lattice.payments.events.ChargeRequestHandler;
import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentQueries;
import dev.lattice.payments.ledger.PaymentRefunds;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.ResilientPaymentProvider;
import dev.lattice.payments.provider.SandboxPaymentProvider;
import dev.lattice.payments.saga.ChargeRequests;
import dev.lattice.payments.saga.Charges;
import dev.lattice.payments.webhooks.ProviderWebhooks;
import dev.lattice.payments.webhooks.WebhookHttpServer;
import dev.lattice.payments.webhooks.WebhookSignature;
import dev.lattice.payments.worker.ChargeWorker;
import dev.lattice.payments.worker.ProviderWorkers;
import dev.lattice.payments.worker.RefundWorker;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.ConsumerListener;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.retry.Backoff;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.util.List;

/**
 * The payments service: PaymentsService on gRPC port 9104 (override with {@code
 * LATTICE_GRPC_PORT}), its own database {@code lattice_payments}. Start-up and drain follow {@link
 * ServiceRuntime}. Beside the gRPC server it runs the saga's consumers ({@code charge-requests} on
 * ORDERS, {@code charges-*} on INVENTORY and ORDERS), the charge and refund workers, and the
 * provider's webhook intake over plain HTTP ({@link PaymentsConfig} names the settings).
 */
public final class PaymentsMain implements ServiceModule {

  private Components components;

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

  /**
   * Payments' own settings: the card processor, its webhooks and the workers ({@link
   * PaymentsConfig}).
   */
  @Override
  public void checkConfig(Env env) {
    PaymentsConfig.fromEnv(env);
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    Components c = components(context);
    return List.of(
        new PaymentsGrpcService(
                new PaymentQueries(context.dsl(), PageTokens.fromEnv(context.env())),
                new PaymentRefunds(context.dsl(), c.settlements()),
                c.webhooks())
            .bindable());
  }

  /**
   * The saga's consumers (decision 0008): {@code charge-requests} on ORDERS, and the logical
   * consumer {@code charges} as one durable per event (a durable belongs to one stream, and several
   * filter subjects need nats-server 2.10+): {@code charges-stock-reserved}, {@code
   * charges-stock-rejected} on INVENTORY, {@code charges-order-cancelled}, {@code
   * charges-order-refunded} on ORDERS. Their handlers are guarded by the payment's status, so the
   * order in which the durables deliver does not matter.
   */
  /**
   * The most events one transaction of {@code charge-requests} or {@code charges-stock-reserved}
   * handles. One event per transaction made them the saga's bottleneck once inventory batched its
   * own: each event waited for its own commit's log flush. Their handlers take the saga's locks of
   * the whole batch first ({@link dev.lattice.payments.saga.OrderLocks}).
   */
  static final int SAGA_BATCH = 32;

  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    Components c = components(context);
    ChargeHandlers charges = c.charges();
    // Consumers that leave work for the provider workers wake them once it is committed.
    ConsumerListener wake = ConsumerListener.afterCommit(c.workers()::nudge);
    ConsumerListener wakeCharges = ConsumerListener.afterCommit(c.workers()::nudgeCharges);
    return List.of(
        consumer(
            context,
            "charge-requests",
            "orders",
            OrderCreated.class,
            c.chargeRequests()::onOrderCreated,
            ConsumerListener.NONE,
            SAGA_BATCH),
        consumer(
            context,
            "charges-stock-reserved",
            "inventory",
            StockReserved.class,
            charges::onStockReserved,
            wakeCharges,
            SAGA_BATCH),
        consumer(
            context,
            "charges-stock-rejected",
            "inventory",
            StockRejected.class,
            charges::onStockRejected,
            ConsumerListener.NONE,
            1),
        consumer(
            context,
            "charges-order-cancelled",
            "orders",
            OrderCancelled.class,
            charges::onOrderCancelled,
            wake,
            1),
        consumer(
            context,
            "charges-order-refunded",
            "orders",
            OrderRefunded.class,
            charges::onOrderRefunded,
            wake,
            1));
  }

  private static <T extends Message> EventConsumer consumer(
      ServiceContext context,
      String durable,
      String producer,
      Class<T> type,
      EventHandler<T> handler,
      ConsumerListener listener,
      int batch) {
    Descriptor descriptor = Internal.getDefaultInstance(type).getDescriptorForType();
    EventConsumer.Builder builder =
        context.consumerOf(durable, producer, descriptor).handle(type, handler).listener(listener);
    return (batch > 1 ? builder.batchTransactions(batch) : builder).build();
  }

  /**
   * The charge and refund workers, and the webhook intake on {@code
   * LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT}.
   */
  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    Components c = components(context);
    PaymentsConfig config = c.config();
    return List.of(
        WebhookHttpServer.start(config.webhookHttpPort(), c.webhooks()),
        c.workers().start(config.workerPoll()));
  }

  /** Payments' parts, built once per start from the started infrastructure. */
  private record Components(
      ServiceContext context,
      PaymentsConfig config,
      PaymentProvider provider,
      Settlements settlements,
      ProviderWebhooks webhooks,
      ChargeRequestHandler chargeRequests,
      ChargeHandlers charges,
      ProviderWorkers workers) {}

  private synchronized Components components(ServiceContext context) {
    if (components != null && components.context() == context) {
      return components;
    }
    PaymentsConfig config = PaymentsConfig.fromEnv(context.env());
    PaymentProvider provider =
        new ResilientPaymentProvider(
            new SandboxPaymentProvider(
                config.providerUrl(), config.providerApiKey(), config.providerTimeout()));
    TraceHeaders traceHeaders = TraceHeaders.of(context.telemetry());
    Settlements settlements =
        new Settlements(new PaymentsEvents(context.outbox()), traceHeaders, context.clock());
    ProviderWebhooks webhooks =
        new ProviderWebhooks(
            context.dsl(),
            provider,
            settlements,
            new WebhookSignature(config.webhookSecret()),
            context.clock(),
            context.telemetry());
    Backoff backoff = new Backoff(config.retryBase(), config.retryMax());
    ProviderWorkers workers =
        new ProviderWorkers(
            context.dsl(),
            new ChargeWorker(
                context.dsl(),
                provider,
                settlements,
                backoff,
                config.lease(),
                config.pendingRecheck(),
                context.telemetry()),
            new RefundWorker(
                context.dsl(),
                provider,
                settlements,
                backoff,
                config.lease(),
                config.pendingRecheck(),
                context.telemetry()),
            settlements);
    components =
        new Components(
            context,
            config,
            provider,
            settlements,
            webhooks,
            new ChargeRequestHandler(new ChargeRequests(settlements, config.chargeRequestTtl())),
            new ChargeHandlers(
                new Charges(settlements, provider.name(), traceHeaders, context.clock())),
            workers);
    return components;
  }
}
