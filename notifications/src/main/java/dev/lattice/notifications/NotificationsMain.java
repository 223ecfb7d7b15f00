package dev.lattice.notifications;

import com.google.protobuf.Descriptors.Descriptor;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.identity.v1.UserDeleted;
import dev.lattice.identity.v1.UserRegistered;
import dev.lattice.notifications.api.NotificationsGrpcService;
import dev.lattice.notifications.channels.FailoverSender;
import dev.lattice.notifications.channels.MessageSender;
import dev.lattice.notifications.channels.SandboxSender;
import dev.lattice.notifications.channels.SmtpSender;
import dev.lattice.notifications.delivery.DeliveryLog;
import dev.lattice.notifications.delivery.DeliveryPlanner;
import dev.lattice.notifications.delivery.DeliveryWorker;
import dev.lattice.notifications.delivery.Dispatcher;
import dev.lattice.notifications.delivery.RateLimiter;
import dev.lattice.notifications.directory.RecipientStore;
import dev.lattice.notifications.events.CommerceHandlers;
import dev.lattice.notifications.events.FailedDeliveries;
import dev.lattice.notifications.events.IdentityHandlers;
import dev.lattice.notifications.events.NotificationsEvents;
import dev.lattice.notifications.inbox.Inbox;
import dev.lattice.notifications.preferences.Preferences;
import dev.lattice.notifications.templates.DefaultTemplates;
import dev.lattice.notifications.templates.TemplateCatalog;
import dev.lattice.notifications.templates.TemplateRenderer;
import dev.lattice.notifications.v1.NotificationFailed;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderShipped;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.ConsumerListener;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.retry.Backoff;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.util.List;
import java.util.Map;

/**
 * The notifications service: NotificationsService on gRPC port 9105 (override with {@code
 * LATTICE_GRPC_PORT}), its own database {@code lattice_notifications}. Start-up and drain follow
 * {@link ServiceRuntime}. It consumes identity's, orders' and payments' events (one durable per
 * subject, {@code notifications-<service>-<event>}, since nats-server 2.9 allows one filter subject
 * per consumer) and runs the delivery {@link Dispatcher} in the background. Settings: {@link
 * NotificationsConfig}.
 */
public final class NotificationsMain implements ServiceModule {

  private Components components;

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

  /**
   * Notifications' own settings: SMTP servers, sender, retries and limits ({@link
   * NotificationsConfig}).
   */
  @Override
  public void checkConfig(Env env) {
    NotificationsConfig.fromEnv(env);
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    Components c = components(context);
    return List.of(
        new NotificationsGrpcService(
            c.preferences(),
            c.inbox(),
            new DeliveryLog(context.dsl(), c.pageTokens()),
            c.templates()));
  }

  /**
   * Events of one pull that the commerce consumers plan in one transaction (decision 0017): their
   * handlers take no locks, only insert rows keyed by the event's own object, so batches cannot
   * deadlock on each other; one commit then serves the whole pull. Under the saga's load the
   * OrderPaid consumer, one event and one commit at a time, was the backlog that stopped the
   * sustained rate.
   */
  static final int COMMERCE_BATCH = 32;

  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    Components c = components(context);
    IdentityHandlers identity =
        new IdentityHandlers(c.directory(), c.planner(), c.config().publicUrl());
    CommerceHandlers commerce = new CommerceHandlers(c.planner());
    // Consumers that plan deliveries wake the dispatcher's lanes once they are committed.
    ConsumerListener wake = ConsumerListener.afterCommit(c.wakeUp()::signal);
    return List.of(
        consumer(context, wake, "identity", UserRegistered.getDescriptor())
            .handle(UserRegistered.class, identity.userRegistered())
            .build(),
        consumer(context, wake, "identity", EmailVerificationRequested.getDescriptor())
            .handle(EmailVerificationRequested.class, identity.verificationRequested())
            .build(),
        consumer(context, wake, "identity", PasswordResetRequested.getDescriptor())
            .handle(PasswordResetRequested.class, identity.passwordResetRequested())
            .build(),
        consumer(context, wake, "identity", UserDeleted.getDescriptor())
            .handle(UserDeleted.class, identity.userDeleted())
            .build(),
        consumer(context, wake, "identity", TenantCreated.getDescriptor())
            .handle(TenantCreated.class, identity.tenantCreated())
            .build(),
        consumer(context, wake, "orders", OrderPaid.getDescriptor())
            .batchTransactions(COMMERCE_BATCH)
            .handle(OrderPaid.class, commerce.orderPaid())
            .build(),
        consumer(context, wake, "orders", OrderCancelled.getDescriptor())
            .batchTransactions(COMMERCE_BATCH)
            .handle(OrderCancelled.class, commerce.orderCancelled())
            .build(),
        consumer(context, wake, "orders", OrderShipped.getDescriptor())
            .batchTransactions(COMMERCE_BATCH)
            .handle(OrderShipped.class, commerce.orderShipped())
            .build(),
        consumer(context, wake, "orders", OrderDelivered.getDescriptor())
            .batchTransactions(COMMERCE_BATCH)
            .handle(OrderDelivered.class, commerce.orderDelivered())
            .build(),
        consumer(context, wake, "payments", PaymentRefunded.getDescriptor())
            .batchTransactions(COMMERCE_BATCH)
            .handle(PaymentRefunded.class, commerce.paymentRefunded())
            .build(),
        // Its own NotificationFailed: exhausted deliveries go to DEAD_LETTERS for operators.
        consumer(
                context, ConsumerListener.NONE, "notifications", NotificationFailed.getDescriptor())
            .handle(NotificationFailed.class, FailedDeliveries::onFailed)
            .build());
  }

  /** The delivery dispatcher: a priority lane (4 calls in flight) and a bulk lane (16). */
  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    Components c = components(context);
    NotificationsConfig config = c.config();
    MessageSender email =
        new FailoverSender(
            new SmtpSender(config.smtp(), config.mailFrom()),
            config.smtpFallback().map(settings -> new SmtpSender(settings, config.mailFrom())),
            config.breakerMinCalls(),
            config.breakerOpen());
    Map<String, MessageSender> senders =
        Map.of(
            "EMAIL", email,
            "SMS",
                new SandboxSender(
                    "sms-sandbox", config.sandboxLatency(), config.sandboxFailureRate()),
            "PUSH",
                new SandboxSender(
                    "push-sandbox", config.sandboxLatency(), config.sandboxFailureRate()));
    DeliveryWorker worker =
        new DeliveryWorker(
            context.dsl(),
            senders,
            new RateLimiter(config.rateLimit(), config.rateWindow()),
            c.events(),
            new Backoff(config.retryBase(), config.retryMax()),
            config.maxAttempts(),
            config.lease(),
            context.clock());
    return List.of(new Dispatcher(worker, 4, 16, c.wakeUp()).start(config.poll()));
  }

  private static EventConsumer.Builder consumer(
      ServiceContext context, ConsumerListener listener, String service, Descriptor event) {
    String eventName = EventSubjects.eventName(event);
    return context
        .consumer(
            "notifications-" + service + "-" + eventName.replace('_', '-'),
            EventSubjects.streamName(service),
            EventSubjects.subject(service, eventName))
        .listener(listener);
  }

  /** Notifications' shared parts, built once per start from the started infrastructure. */
  private record Components(
      ServiceContext context,
      NotificationsConfig config,
      PageTokens pageTokens,
      RecipientStore directory,
      Preferences preferences,
      Inbox inbox,
      TemplateCatalog templates,
      NotificationsEvents events,
      DeliveryPlanner planner,
      Dispatcher.WakeUp wakeUp) {}

  private synchronized Components components(ServiceContext context) {
    if (components != null && components.context() == context) {
      return components;
    }
    NotificationsConfig config = NotificationsConfig.fromEnv(context.env());
    PageTokens pageTokens = PageTokens.fromEnv(context.env());
    TemplateRenderer renderer = new TemplateRenderer();
    RecipientStore directory = new RecipientStore();
    Preferences preferences = new Preferences(context.dsl(), context.clock());
    Inbox inbox = new Inbox(context.dsl(), pageTokens, context.clock());
    TemplateCatalog templates =
        new TemplateCatalog(
            context.dsl(),
            new DefaultTemplates(),
            renderer,
            pageTokens,
            config.defaultLocale(),
            context.clock());
    NotificationsEvents events = new NotificationsEvents(context.outbox());
    DeliveryPlanner planner =
        new DeliveryPlanner(
            directory, preferences, templates, renderer, inbox, events, context.clock());
    components =
        new Components(
            context,
            config,
            pageTokens,
            directory,
            preferences,
            inbox,
            templates,
            events,
            planner,
            new Dispatcher.WakeUp());
    return components;
  }
}
