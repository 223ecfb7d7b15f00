package dev.lattice.notifications;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.notifications.Users.User;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.ChannelPreference;
import dev.lattice.notifications.v1.DeliveryStatus;
import dev.lattice.notifications.v1.GetPreferencesRequest;
import dev.lattice.notifications.v1.ListDeliveriesRequest;
import dev.lattice.notifications.v1.ListNotificationsRequest;
import dev.lattice.notifications.v1.ListNotificationsResponse;
import dev.lattice.notifications.v1.ListTemplatesRequest;
import dev.lattice.notifications.v1.MarkReadRequest;
import dev.lattice.notifications.v1.Notification;
import dev.lattice.notifications.v1.NotificationSent;
import dev.lattice.notifications.v1.NotificationsServiceGrpc.NotificationsServiceBlockingStub;
import dev.lattice.notifications.v1.UpdatePreferencesRequest;
import dev.lattice.notifications.v1.UpsertTemplateRequest;
import dev.lattice.notifications.v1.UpsertTemplateResponse;
import dev.lattice.orders.v1.OrderDelivered;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.orders.v1.OrderShipped;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Notifications end to end: events published on real NATS, a real notifications service on a fresh
 * database, mail through a real SMTP server (GreenMail), the API through real stubs. Each test
 * works in a fresh tenant with freshly registered users.
 */
@Timeout(180)
class NotificationsIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final int RATE_LIMIT = 20;
  static final Duration RATE_WINDOW = Duration.ofSeconds(2);

  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static MailServer mail;
  static MailServer fallbackMail;
  static EventsPublisher publisher;
  static EventTap events;
  static NotificationsHarness service;
  static Users users;

  UUID tenant;
  NotificationsServiceBlockingStub staff;

  @BeforeAll
  static void start() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    mail = MailServer.start();
    fallbackMail = MailServer.start();
    publisher = EventsPublisher.open(nats.url());
    events = EventTap.open(nats.url(), "notifications");
    service =
        NotificationsHarness.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_NOTIFICATIONS_SMTP_HOST", "127.0.0.1",
                "LATTICE_NOTIFICATIONS_SMTP_PORT", Integer.toString(mail.port()),
                "LATTICE_NOTIFICATIONS_SMTP_FALLBACK_HOST", "127.0.0.1",
                "LATTICE_NOTIFICATIONS_SMTP_FALLBACK_PORT", Integer.toString(fallbackMail.port()),
                "LATTICE_NOTIFICATIONS_RATE_LIMIT", Integer.toString(RATE_LIMIT),
                "LATTICE_NOTIFICATIONS_RATE_WINDOW", RATE_WINDOW.toString(),
                "LATTICE_NOTIFICATIONS_RETRY_BASE", "PT0.2S",
                "LATTICE_NOTIFICATIONS_RETRY_MAX", "PT1S",
                "LATTICE_PUBLIC_URL", "https://shop.example.test"));
    users = new Users(publisher, service);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    events.close();
    publisher.close();
    mail.close();
    fallbackMail.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff =
        service.stub(
            service
                .tokens()
                .token(
                    tenant,
                    UUID.randomUUID(),
                    "notifications.read",
                    "notifications.templates.manage"));
  }

  @Test
  void redeliveredEvent_sendsNoSecondEmail_andTwoEventsOfOneFact_makeOneDelivery()
      throws Exception {
    User user = users.register(tenant, "en");
    UUID order = UUID.randomUUID();
    Envelope shipped = publisher.publish("orders", tenant, order, 5, shipped(user, order, "DHL"));
    awaitMails(user, 1 + 1); // welcome + shipped

    publisher.redeliver(shipped);
    publisher.publish("orders", tenant, order, 6, shipped(user, order, "UPS"));
    await().atMost(Duration.ofSeconds(20)).until(publisher::allConsumed);
    awaitQuiet();

    assertThat(mail.to(user.email()))
        .filteredOn(m -> MailServer.subject(m).contains(order.toString()))
        .hasSize(1);
    assertThat(
            service.sqlLong(
                "select count(*) from deliveries where recipient_id = ? and template_key = 'order_shipped'"
                    + " and channel = 'EMAIL'",
                user.id()))
        .isEqualTo(1);
    assertThat(
            service.sqlLong(
                "select count(*) from notifications where recipient_id = ? and type = 'order_shipped'",
                user.id()))
        .isEqualTo(1);
  }

  @Test
  void preferences_emailOffForOrderShipped_sendsInAppOnly_securityMailsBypassThem()
      throws Exception {
    User user = users.register(tenant, "en");
    NotificationsServiceBlockingStub self = userStub(user);
    assertThat(
            self.getPreferences(GetPreferencesRequest.getDefaultInstance())
                .getPreferences()
                .getVersion())
        .isZero();
    self.updatePreferences(
        UpdatePreferencesRequest.newBuilder()
            .setVersion(0)
            .addEntries(entry("order_shipped", Channel.CHANNEL_EMAIL, false))
            .addEntries(entry("*", Channel.CHANNEL_EMAIL, false))
            .build());
    Throwable locked =
        failure(
            () ->
                self.updatePreferences(
                    UpdatePreferencesRequest.newBuilder()
                        .setVersion(1)
                        .addEntries(entry("password_reset", Channel.CHANNEL_EMAIL, false))
                        .build()));
    assertThat(code(locked)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(locked).getReason()).isEqualTo("PREFERENCE_LOCKED");
    Throwable stale =
        failure(
            () ->
                self.updatePreferences(
                    UpdatePreferencesRequest.newBuilder()
                        .setVersion(0)
                        .addEntries(entry("order_paid", Channel.CHANNEL_SMS, true))
                        .build()));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);

    UUID order = UUID.randomUUID();
    publisher.publish("orders", tenant, order, 5, shipped(user, order, "DHL"));
    await().atMost(Duration.ofSeconds(20)).until(() -> inbox(user).getNotificationsCount() == 2);
    String token = Users.rawToken();
    users.requestVerification(user, token);

    List<MimeMessage> received =
        awaitMails(user, 2); // welcome (sent before the change) + verification
    assertThat(received).noneMatch(m -> MailServer.subject(m).contains(order.toString()));
    assertThat(received).anyMatch(m -> MailServer.text(m).contains(token));
    assertThat(inbox(user).getNotificationsList())
        .extracting(Notification::getType)
        .containsExactly("order_shipped", "welcome");
    assertThat(
            service.sqlValue(
                "select status from deliveries where recipient_id = ? and channel = 'EMAIL'"
                    + " and template_key = 'order_shipped'",
                user.id()))
        .isEqualTo("SKIPPED");
  }

  @Test
  void smsAndPushTurnedOn_sendThroughTheirSandboxes() throws Exception {
    User user = users.register(tenant, "en");
    userStub(user)
        .updatePreferences(
            UpdatePreferencesRequest.newBuilder()
                .setVersion(0)
                .addEntries(entry("order_shipped", Channel.CHANNEL_SMS, true))
                .addEntries(entry("order_shipped", Channel.CHANNEL_PUSH, true))
                .build());
    UUID order = UUID.randomUUID();
    publisher.publish("orders", tenant, order, 5, shipped(user, order, "DHL"));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                service.sqlLong(
                        "select count(*) from deliveries"
                            + " where recipient_id = ? and template_key = 'order_shipped' and status = 'SENT'",
                        user.id())
                    == 4);
    assertThat(
            service.sqlStrings(
                "select channel || ':' || provider from deliveries where recipient_id = ?"
                    + " and template_key = 'order_shipped' order by channel",
                user.id()))
        .containsExactly(
            "EMAIL:smtp-primary", "IN_APP:inbox", "PUSH:push-sandbox", "SMS:sms-sandbox");
  }

  @Test
  void burstOfOrderMessages_isDeferredByTheRateLimit_andAllArrive() throws Exception {
    User user = users.register(tenant, "en");
    awaitMails(user, 1);
    for (int i = 0; i < 100; i++) {
      UUID order = UUID.randomUUID();
      publisher.publish("orders", tenant, order, 4, paid(user, order));
    }

    await().atMost(Duration.ofSeconds(90)).until(() -> mail.to(user.email()).size() == 101);
    assertThat(
            service.sqlLong(
                "select count(*) from deliveries where recipient_id = ? and channel = 'EMAIL'"
                    + " and template_key = 'order_paid' and status = 'SENT'",
                user.id()))
        .isEqualTo(100);
    assertThat(
            service.sqlLong(
                "select count(*) from deliveries where recipient_id = ? and last_error_code = 'rate_limited'",
                user.id()))
        .isPositive();
    long spreadMillis =
        service.sqlLong(
            "select (extract(epoch from max(sent_time) - min(sent_time)) * 1000)::bigint"
                + " from deliveries where recipient_id = ? and template_key = 'order_paid'",
            user.id());
    // 100 messages at 20 per 2 s need at least four more windows after the first.
    assertThat(Duration.ofMillis(spreadMillis)).isGreaterThan(RATE_WINDOW.multipliedBy(3));
    // Waiting messages are paced, not herded: each change of a delivery counts a version (created,
    // each deferral, attempt started, sent), so version - 3 is how often it was deferred. Deferring
    // them all to the moment the oldest attempt leaves the window deferred every waiting message
    // again each window (about 80 + 60 + 40 + 20 = 200 deferrals for 80 messages); paced, a message
    // is deferred once, twice if an attempt before it started late.
    long deferred =
        service.sqlLong(
            "select count(*) from deliveries where recipient_id = ? and channel = 'EMAIL'"
                + " and template_key = 'order_paid' and version > 3",
            user.id());
    long deferrals =
        service.sqlLong(
            "select coalesce(sum(version - 3), 0) from deliveries where recipient_id = ?"
                + " and channel = 'EMAIL' and template_key = 'order_paid'",
            user.id());
    assertThat(deferred).isPositive();
    assertThat(deferrals).isLessThanOrEqualTo(2 * deferred);
  }

  @Test
  void verificationEmail_isDeliveredPromptly_whileBulkBacklogWaits() throws Exception {
    User user = users.register(tenant, "en");
    awaitMails(user, 1);
    for (int i = 0; i < 200; i++) {
      UUID order = UUID.randomUUID();
      publisher.publish("orders", tenant, order, 4, paid(user, order));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                service.sqlLong(
                        "select count(*) from deliveries where recipient_id = ? and template_key = 'order_paid' and channel = 'EMAIL'",
                        user.id())
                    == 200);

    // The backlog left once all 200 are planned depends on how fast this machine planned them (the
    // rate limit sends RATE_LIMIT per RATE_WINDOW meanwhile). It must hold more than the 5 s below
    // can send, so that behind it on the bulk lane the verification could not arrive in time.
    long backlog = open(user);
    long sentIn5s = RATE_LIMIT * 5_000L / RATE_WINDOW.toMillis();
    assertThat(backlog)
        .as("bulk messages queued when the verification is asked for")
        .isGreaterThan(sentIn5s);
    String token = Users.rawToken();
    Instant asked = Instant.now();
    users.requestVerification(user, token);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> mail.to(user.email()).stream().anyMatch(m -> MailServer.text(m).contains(token)));
    Duration took = Duration.between(asked, Instant.now());
    long stillWaiting = open(user);

    assertThat(took).isLessThan(Duration.ofSeconds(5));
    // It overtook the queue: on the bulk lane it would have waited for all of them.
    assertThat(stillWaiting)
        .as("bulk messages still waiting when the verification arrived (of %d)", backlog)
        .isGreaterThan(0);
  }

  @Test
  void verificationAndResetEmails_carryTokenAndLink_tokenIsNowhereElse() throws Exception {
    User user = users.register(tenant, "en");
    String verifyToken = Users.rawToken();
    String resetToken = Users.rawToken();
    Envelope verify = users.requestVerification(user, verifyToken);
    Envelope reset =
        users.requestReset(
            user, resetToken, PasswordResetPurpose.PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP);

    List<MimeMessage> received = awaitMails(user, 3);
    MimeMessage verifyMail =
        received.stream()
            .filter(m -> MailServer.text(m).contains(verifyToken))
            .findFirst()
            .orElseThrow();
    assertThat(MailServer.text(verifyMail))
        .contains("https://shop.example.test/verify-email?token=" + verifyToken);
    MimeMessage resetMail =
        received.stream()
            .filter(m -> MailServer.text(m).contains(resetToken))
            .findFirst()
            .orElseThrow();
    assertThat(MailServer.subject(resetMail)).isEqualTo("Set up your password");
    assertThat(MailServer.text(resetMail))
        .contains("https://shop.example.test/reset-password?token=" + resetToken);

    for (Envelope cause : List.of(verify, reset)) {
      events.await(
          NotificationSent.class, sent -> sent.getSourceEventId().equals(cause.getEventId()));
    }
    for (String token : List.of(verifyToken, resetToken)) {
      assertThat(
              service.sqlLong(
                  "select count(*) from deliveries d where d::text like ?", "%" + token + "%"))
          .isZero();
      assertThat(
              service.sqlLong(
                  "select count(*) from delivery_attempts a where a::text like ?",
                  "%" + token + "%"))
          .isZero();
      assertThat(events.all(NotificationSent.class, sent -> sent.toString().contains(token)))
          .isEmpty();
      assertThat(logs.list)
          .noneMatch(
              event ->
                  event.getFormattedMessage().contains(token)
                      || (event.getThrowableProxy() != null
                          && event.getThrowableProxy().getMessage() != null
                          && event.getThrowableProxy().getMessage().contains(token)));
    }
    assertThat(logs.list).isNotEmpty();
  }

  @Test
  void upsertTemplate_newVersionIsUsed_localeFallsBack_badSyntaxIsInvalid() throws Exception {
    User english = users.register(tenant, "en");
    User austrian = users.register(tenant, "de-AT");
    User french = users.register(tenant, "fr");

    UpsertTemplateResponse created = staff.upsertTemplate(template("Shipped v1 {{order_id}}", 0));
    assertThat(created.getCreated()).isTrue();
    assertThat(created.getTemplate().getVersion()).isEqualTo(1);
    UUID first = UUID.randomUUID();
    publisher.publish("orders", tenant, first, 5, shipped(english, first, "DHL"));
    assertThat(awaitMail(english, first).getSubject()).isEqualTo("Shipped v1 " + first);

    Throwable stale = failure(() -> staff.upsertTemplate(template("Shipped v2 {{order_id}}", 0)));
    assertThat(code(stale)).isEqualTo(Status.Code.ABORTED);
    assertThat(
            staff.upsertTemplate(template("Shipped v2 {{order_id}}", 1)).getTemplate().getVersion())
        .isEqualTo(2);
    UUID second = UUID.randomUUID();
    publisher.publish("orders", tenant, second, 5, shipped(english, second, "DHL"));
    assertThat(awaitMail(english, second).getSubject()).isEqualTo("Shipped v2 " + second);
    assertThat(
            service.sqlValue(
                "select template_version from deliveries where dedupe_key like ?",
                "%:EMAIL:order_shipped:" + second))
        .isEqualTo(2L);

    UUID third = UUID.randomUUID();
    publisher.publish("orders", tenant, third, 5, shipped(austrian, third, "DHL"));
    assertThat(awaitMail(austrian, third).getSubject())
        .isEqualTo("Bestellung " + third + " ist unterwegs");
    UUID fourth = UUID.randomUUID();
    publisher.publish("orders", tenant, fourth, 5, shipped(french, fourth, "DHL"));
    assertThat(awaitMail(french, fourth).getSubject()).isEqualTo("Shipped v2 " + fourth);

    assertThat(staff.listTemplates(ListTemplatesRequest.getDefaultInstance()).getTemplatesList())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("order_shipped");
              assertThat(t.getVersion()).isEqualTo(2);
            });
    Throwable unbalanced = failure(() -> staff.upsertTemplate(template("Broken {{order_id", 2)));
    assertThat(code(unbalanced)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(unbalanced).getReason()).isEqualTo("TEMPLATE_INVALID");
    assertThat(badRequest(unbalanced).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactly("subject");
    Throwable unknown = failure(() -> staff.upsertTemplate(template("Hi {{password}}", 2)));
    assertThat(errorInfo(unknown).getMetadataMap()).containsEntry("placeholder", "password");
  }

  @Test
  void listNotifications_pagesNewestFirst_markRead_otherUsersAndTenantsAreNotFound()
      throws Exception {
    User user = users.register(tenant, "en");
    User other = users.register(tenant, "en");
    for (int i = 0; i < 4; i++) {
      UUID order = UUID.randomUUID();
      publisher.publish(
          "orders",
          tenant,
          order,
          7,
          OrderDelivered.newBuilder()
              .setOrderId(order.toString())
              .setCustomerId(user.id().toString())
              .build());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> inbox(user).getUnreadCount() == 5);

    List<Notification> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListNotificationsResponse page =
          userStub(user)
              .listNotifications(
                  ListNotificationsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      seen.addAll(page.getNotificationsList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(5).extracting(Notification::getId).doesNotHaveDuplicates();
    assertThat(seen.get(4).getType()).isEqualTo("welcome");
    List<String> ids = seen.stream().map(Notification::getId).toList();
    assertThat(ids).isSortedAccordingTo((a, b) -> UUID.fromString(b).compareTo(UUID.fromString(a)));

    var marked =
        userStub(user)
            .markRead(MarkReadRequest.newBuilder().addNotificationIds(ids.get(0)).build());
    assertThat(marked.getMarkedCount()).isEqualTo(1);
    assertThat(marked.getUnreadCount()).isEqualTo(4);
    assertThat(
            userStub(user)
                .listNotifications(
                    ListNotificationsRequest.newBuilder().setUnreadOnly(true).build())
                .getNotificationsList())
        .extracting(Notification::getId)
        .doesNotContain(ids.get(0))
        .hasSize(4);

    Throwable notMine =
        failure(
            () ->
                userStub(other)
                    .markRead(MarkReadRequest.newBuilder().addNotificationIds(ids.get(1)).build()));
    assertThat(code(notMine)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(notMine).getReason()).isEqualTo("NOTIFICATION_NOT_FOUND");
    NotificationsServiceBlockingStub otherTenant =
        service.stub(service.tokens().token(UUID.randomUUID(), user.id()));
    assertThat(
            code(
                failure(
                    () ->
                        otherTenant.markRead(
                            MarkReadRequest.newBuilder().addNotificationIds(ids.get(1)).build()))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(
            otherTenant
                .listNotifications(ListNotificationsRequest.getDefaultInstance())
                .getNotificationsCount())
        .isZero();
    assertThat(
            userStub(user)
                .listNotifications(ListNotificationsRequest.getDefaultInstance())
                .getUnreadCount())
        .isEqualTo(4);

    assertThat(
            staff
                .listDeliveries(
                    ListDeliveriesRequest.newBuilder()
                        .setRecipientId(user.id().toString())
                        .setChannel(Channel.CHANNEL_IN_APP)
                        .setStatus(DeliveryStatus.DELIVERY_STATUS_SENT)
                        .build())
                .getDeliveriesCount())
        .isEqualTo(5);
  }

  /** The user's order_paid deliveries not sent yet. */
  private static long open(User user) {
    return service.sqlLong(
        "select count(*) from deliveries where recipient_id = ? and template_key = 'order_paid'"
            + " and status in ('PENDING', 'RETRYING')",
        user.id());
  }

  private NotificationsServiceBlockingStub userStub(User user) {
    return service.stub(service.tokens().token(user.tenant(), user.id()));
  }

  private ListNotificationsResponse inbox(User user) {
    return userStub(user).listNotifications(ListNotificationsRequest.getDefaultInstance());
  }

  /** Waits until at least {@code count} mails reached {@code user}; returns them all. */
  private static List<MimeMessage> awaitMails(User user, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> mail.to(user.email()).size() >= count);
    return mail.to(user.email());
  }

  private static MimeMessage awaitMail(User user, UUID order) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                mail.to(user.email()).stream()
                    .anyMatch(m -> MailServer.text(m).contains(order.toString())));
    return mail.to(user.email()).stream()
        .filter(m -> MailServer.text(m).contains(order.toString()))
        .findFirst()
        .orElseThrow();
  }

  /** Waits until no delivery is open: nothing more is going to be sent. */
  private static void awaitQuiet() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                service.sqlLong(
                        "select count(*) from deliveries where status in ('PENDING', 'RETRYING')")
                    == 0);
  }

  private static OrderShipped shipped(User user, UUID order, String carrier) {
    return OrderShipped.newBuilder()
        .setOrderId(order.toString())
        .setCustomerId(user.id().toString())
        .setCarrier(carrier)
        .setTrackingNumber("TRK-" + order.toString().substring(0, 6))
        .build();
  }

  private static OrderPaid paid(User user, UUID order) {
    return OrderPaid.newBuilder()
        .setOrderId(order.toString())
        .setCustomerId(user.id().toString())
        .setPaymentId(UUID.randomUUID().toString())
        .setTotalAmountMinor(1999)
        .setCurrency("EUR")
        .build();
  }

  private static ChannelPreference entry(String type, Channel channel, boolean enabled) {
    return ChannelPreference.newBuilder()
        .setType(type)
        .setChannel(channel)
        .setEnabled(enabled)
        .build();
  }

  private static UpsertTemplateRequest template(String subject, long version) {
    return UpsertTemplateRequest.newBuilder()
        .setKey("order_shipped")
        .setLocale("en")
        .setChannel(Channel.CHANNEL_EMAIL)
        .setSubject(subject)
        .setBody("Order {{order_id}} shipped with {{carrier}}.")
        .setVersion(version)
        .build();
  }

  private static BadRequest badRequest(Throwable failure) throws Exception {
    for (Any any : StatusProto.fromThrowable(failure).getDetailsList()) {
      if (any.is(BadRequest.class)) {
        return any.unpack(BadRequest.class);
      }
    }
    throw new AssertionError("no BadRequest in " + failure);
  }
}
