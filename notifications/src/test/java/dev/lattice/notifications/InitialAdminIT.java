package dev.lattice.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.orders.v1.OrderPaid;
import dev.lattice.payments.v1.PaymentRefunded;
import dev.lattice.platform.consumer.DeadLetterQuery;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.StoredDeadLetter;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tenant's initial admin never registers: identity announces it only in TenantCreated (the
 * platform administrator of {@code ./mesh up} included). Order and payment events about that admin
 * must find an address instead of failing until they are dead-lettered. Events are published the
 * way identity's, orders' and payments' relays publish them; each test works in a fresh tenant.
 */
@Timeout(180)
class InitialAdminIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  /**
   * Well inside the first redeliveries of a transiently failing event (1 s, 5 s, 30 s): an event
   * that met an unknown recipient would still be waiting for its third attempt.
   */
  static final Duration PROMPTLY = Duration.ofSeconds(20);

  static MailServer mail;
  static EventsPublisher publisher;
  static NotificationsHarness service;

  UUID tenant;
  UUID admin;
  String adminEmail;

  @BeforeAll
  static void start() throws Exception {
    mail = MailServer.start();
    publisher = EventsPublisher.open(nats.url());
    service =
        NotificationsHarness.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_NOTIFICATIONS_SMTP_HOST", "127.0.0.1",
                "LATTICE_NOTIFICATIONS_SMTP_PORT", Integer.toString(mail.port()),
                "LATTICE_NOTIFICATIONS_RETRY_BASE", "PT0.2S",
                "LATTICE_NOTIFICATIONS_RETRY_MAX", "PT1S"));
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    publisher.close();
    mail.close();
  }

  @BeforeEach
  void newTenantAndAdmin() {
    tenant = UUID.randomUUID();
    admin = UUID.randomUUID();
    adminEmail = "admin-" + admin.toString().substring(0, 8) + "@platform.test";
  }

  @Test
  void orderPaidAndRefund_forTheAdminOfTenantCreated_areDelivered_notDeadLettered()
      throws Exception {
    Envelope created = publishTenantCreated(tenantCreated("Platform administrator"));
    UUID order = UUID.randomUUID();
    Envelope paid = publisher.publish("orders", tenant, order, 4, paid(order));
    UUID payment = UUID.randomUUID();
    Envelope refunded =
        publisher.publish(
            "payments",
            tenant,
            payment,
            3,
            PaymentRefunded.newBuilder()
                .setPaymentId(payment.toString())
                .setOrderId(order.toString())
                .setCustomerId(admin.toString())
                .setRefundId(UUID.randomUUID().toString())
                .setAmountMinor(1250)
                .setCurrency("EUR")
                .setRefundedAmountMinor(1250)
                .setFullyRefunded(true)
                .build());

    MimeMessage paidMail = awaitMail(order, "payment received");
    assertThat(MailServer.text(paidMail)).contains("Hello Platform administrator");
    awaitMail(order, "Refund");

    await().atMost(PROMPTLY).until(publisher::allConsumed);
    assertThat(mail.to(adminEmail)).as("TenantCreated itself sends nothing").hasSize(2);
    assertThat(
            service.sqlLong(
                "select count(*) from deliveries where recipient_id = ? and channel = 'EMAIL'"
                    + " and status = 'SENT'",
                admin))
        .isEqualTo(2);
    assertThat(deadLetters())
        .extracting(StoredDeadLetter::eventId)
        .doesNotContain(created.getEventId(), paid.getEventId(), refunded.getEventId());
  }

  @Test
  void tenantCreatedArrivingAfterANewerUserEvent_keepsWhatTheNewerEventRecorded() throws Exception {
    publisher.publish(
        "identity",
        tenant,
        admin,
        2,
        PasswordResetRequested.newBuilder()
            .setUserId(admin.toString())
            .setEmail(adminEmail)
            .setDisplayName("Root, renamed")
            .setLocale("en")
            .setToken(Users.rawToken())
            .setPurpose(PasswordResetPurpose.PASSWORD_RESET_PURPOSE_FORGOTTEN_PASSWORD)
            .build());
    await()
        .atMost(PROMPTLY)
        .until(
            () ->
                service.sqlLong(
                        "select count(*) from recipients where user_id = ? and user_version = 2",
                        admin)
                    == 1);

    publishTenantCreated(tenantCreated("Platform administrator"));
    await().atMost(PROMPTLY).until(publisher::allConsumed);

    assertThat(service.sqlValue("select display_name from recipients where user_id = ?", admin))
        .isEqualTo("Root, renamed");
    assertThat(service.sqlLong("select user_version from recipients where user_id = ?", admin))
        .isEqualTo(2);
    UUID order = UUID.randomUUID();
    publisher.publish("orders", tenant, order, 4, paid(order));
    assertThat(MailServer.text(awaitMail(order, "payment received")))
        .contains("Hello Root, renamed");
  }

  @Test
  void tenantCreatedWithoutTheAdminsAddress_isAcknowledged_andRecordsNobody() throws Exception {
    // As identity wrote it before TenantCreated carried the admin's address.
    Envelope created =
        publishTenantCreated(
            TenantCreated.newBuilder()
                .setTenantId(tenant.toString())
                .setSlug("old")
                .setDisplayName("Old")
                .setInitialAdminUserId(admin.toString())
                .build());

    await()
        .atMost(PROMPTLY)
        .until(
            () ->
                service.sqlLong(
                        "select count(*) from processed_events where event_id = ?",
                        UUID.fromString(created.getEventId()))
                    == 1);
    assertThat(service.sqlLong("select count(*) from recipients where user_id = ?", admin))
        .isZero();
    assertThat(deadLetters())
        .extracting(StoredDeadLetter::eventId)
        .doesNotContain(created.getEventId());
  }

  /** TenantCreated as identity publishes it: aggregate "tenant", the tenant's first version. */
  private Envelope publishTenantCreated(TenantCreated event) throws Exception {
    return publisher.publish("identity", "tenant", tenant, tenant, 1, event);
  }

  private TenantCreated tenantCreated(String adminName) {
    return TenantCreated.newBuilder()
        .setTenantId(tenant.toString())
        .setSlug("platform")
        .setDisplayName("Lattice platform")
        .setInitialAdminUserId(admin.toString())
        .setInitialAdminEmail(adminEmail)
        .setInitialAdminDisplayName(adminName)
        .setInitialAdminLocale("en")
        .build();
  }

  private OrderPaid paid(UUID order) {
    return OrderPaid.newBuilder()
        .setOrderId(order.toString())
        .setCustomerId(admin.toString())
        .setPaymentId(UUID.randomUUID().toString())
        .setTotalAmountMinor(1250)
        .setCurrency("EUR")
        .build();
  }

  /**
   * Waits {@link #PROMPTLY} for the admin's mail about {@code order} whose subject has {@code
   * subject}.
   */
  private MimeMessage awaitMail(UUID order, String subject) {
    await().atMost(PROMPTLY).until(() -> mailAbout(order, subject).size() == 1);
    return mailAbout(order, subject).get(0);
  }

  private List<MimeMessage> mailAbout(UUID order, String subject) {
    return mail.to(adminEmail).stream()
        .filter(
            m ->
                MailServer.subject(m).contains(order.toString())
                    && MailServer.subject(m).contains(subject))
        .toList();
  }

  private static List<StoredDeadLetter> deadLetters() throws Exception {
    try (Connection connection = Nats.connect(nats.url())) {
      return new DeadLetters(connection)
          .list(new DeadLetterQuery("notifications", "", "", 100, 0))
          .deadLetters();
    }
  }
}
