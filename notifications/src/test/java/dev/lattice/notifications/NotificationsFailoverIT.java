package dev.lattice.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.events.v1.Envelope;
import dev.lattice.local.FreePorts;
import dev.lattice.notifications.Users.User;
import dev.lattice.notifications.v1.Delivery;
import dev.lattice.notifications.v1.DeliveryStatus;
import dev.lattice.notifications.v1.ListDeliveriesRequest;
import dev.lattice.notifications.v1.NotificationFailed;
import dev.lattice.notifications.v1.NotificationsServiceGrpc.NotificationsServiceBlockingStub;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.platform.consumer.DeadLetterCause;
import dev.lattice.platform.consumer.DeadLetterQuery;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.StoredDeadLetter;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.nats.client.Connection;
import io.nats.client.Nats;
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
 * Email when the primary SMTP server is down (nothing listens on its port): attempts are retried
 * with backoff and recorded, the circuit breaker opens and the fallback SMTP server delivers; with
 * the fallback down as well the delivery exhausts its attempts, is FAILED and dead-lettered
 * (NotificationFailed, listed by ListDeliveries status FAILED).
 */
@Timeout(180)
class NotificationsFailoverIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final int MAX_ATTEMPTS = 4;

  static MailServer fallbackMail;
  static EventsPublisher publisher;
  static EventTap events;
  static NotificationsHarness service;
  static Users users;

  UUID tenant;
  NotificationsServiceBlockingStub staff;

  @BeforeAll
  static void start() throws Exception {
    fallbackMail = MailServer.start();
    publisher = EventsPublisher.open(nats.url());
    events = EventTap.open(nats.url(), "notifications");
    service =
        NotificationsHarness.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_NOTIFICATIONS_SMTP_HOST", "127.0.0.1",
                "LATTICE_NOTIFICATIONS_SMTP_PORT", Integer.toString(FreePorts.next()),
                "LATTICE_NOTIFICATIONS_SMTP_FALLBACK_HOST", "127.0.0.1",
                "LATTICE_NOTIFICATIONS_SMTP_FALLBACK_PORT", Integer.toString(fallbackMail.port()),
                "LATTICE_NOTIFICATIONS_BREAKER_MIN_CALLS", "2",
                "LATTICE_NOTIFICATIONS_BREAKER_OPEN", "PT2M",
                "LATTICE_NOTIFICATIONS_MAX_ATTEMPTS", Integer.toString(MAX_ATTEMPTS),
                "LATTICE_NOTIFICATIONS_RETRY_BASE", "PT0.2S",
                "LATTICE_NOTIFICATIONS_RETRY_MAX", "PT0.5S"));
    users = new Users(publisher, service);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    events.close();
    publisher.close();
    fallbackMail.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
    staff = service.stub(service.tokens().token(tenant, UUID.randomUUID(), "notifications.read"));
    fallbackMail.up();
  }

  @Test
  void primaryDown_isRetriedWithAttemptsRecorded_thenTheFallbackDelivers() throws Exception {
    User user = users.register(tenant, "en");

    await().atMost(Duration.ofSeconds(30)).until(() -> fallbackMail.to(user.email()).size() == 1);
    UUID delivery =
        (UUID)
            service.sqlValue(
                "select id from deliveries where recipient_id = ? and channel = 'EMAIL'",
                user.id());
    List<String> attempts = attempts(delivery);
    assertThat(attempts.getLast()).isEqualTo("smtp-fallback:SENT");
    assertThat(service.sqlValue("select status from deliveries where id = ?", delivery))
        .isEqualTo("SENT");
    assertThat(service.sqlValue("select provider from deliveries where id = ?", delivery))
        .isEqualTo("smtp-fallback");
    // The first user's mail met a closed breaker: its primary failures are on record.
    assertThat(
            service.sqlLong(
                "select count(*) from delivery_attempts where provider = 'smtp-primary'"
                    + " and outcome = 'TRANSIENT_ERROR' and error_code = 'smtp_unreachable'"))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void bothServersDown_exhaustsAttempts_isFailedAndDeadLettered() throws Exception {
    fallbackMail.down();
    try {
      User user = users.register(tenant, "en");
      UUID order = UUID.randomUUID();
      Envelope cancelled =
          publisher.publish(
              "orders",
              tenant,
              order,
              3,
              OrderCancelled.newBuilder()
                  .setOrderId(order.toString())
                  .setCustomerId(user.id().toString())
                  .build());

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  service.sqlLong(
                          "select count(*) from deliveries where source_event_id = ? and status = 'FAILED'",
                          UUID.fromString(cancelled.getEventId()))
                      == 1);
      Envelope failedEvent =
          events.await(
              NotificationFailed.class, f -> f.getSourceEventId().equals(cancelled.getEventId()));
      NotificationFailed failed = EventTap.unpack(failedEvent, NotificationFailed.class);
      assertThat(failed.getAttemptCount()).isEqualTo(MAX_ATTEMPTS);
      assertThat(failed.getErrorCode()).isEqualTo("smtp_unreachable");

      List<Delivery> deadLetters =
          staff
              .listDeliveries(
                  ListDeliveriesRequest.newBuilder()
                      .setStatus(DeliveryStatus.DELIVERY_STATUS_FAILED)
                      .build())
              .getDeliveriesList();
      assertThat(deadLetters)
          .extracting(Delivery::getSourceEventId)
          .contains(cancelled.getEventId());
      Delivery dead =
          deadLetters.stream()
              .filter(d -> d.getSourceEventId().equals(cancelled.getEventId()))
              .findFirst()
              .orElseThrow();
      assertThat(dead.getAttemptCount()).isEqualTo(MAX_ATTEMPTS);
      assertThat(attempts(UUID.fromString(dead.getId())))
          .hasSize(MAX_ATTEMPTS)
          .allMatch(a -> a.endsWith(":TRANSIENT_ERROR"));
      assertThat(
              service.sqlValue(
                  "select rendered_body from deliveries where id = ?",
                  UUID.fromString(dead.getId())))
          .isNull();

      // And it is in DEAD_LETTERS, where operators list what the platform gave up on.
      try (Connection connection = Nats.connect(nats.url())) {
        DeadLetters deadLetterStream = new DeadLetters(connection);
        DeadLetterQuery query = new DeadLetterQuery("notifications", "", "", 100, 0);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    deadLetterStream.list(query).deadLetters().stream()
                        .anyMatch(letter -> letter.errorMessage().contains(dead.getId())));
        StoredDeadLetter letter =
            deadLetterStream.list(query).deadLetters().stream()
                .filter(l -> l.errorMessage().contains(dead.getId()))
                .findFirst()
                .orElseThrow();
        assertThat(letter.cause()).isEqualTo(DeadLetterCause.PERMANENT_FAILURE);
        assertThat(letter.eventId()).isEqualTo(failedEvent.getEventId());
        assertThat(letter.errorMessage())
            .contains("smtp_unreachable")
            .contains(MAX_ATTEMPTS + " attempts");
      }
    } finally {
      fallbackMail.up();
    }
  }

  private static List<String> attempts(UUID delivery) {
    return service.sqlStrings(
        "select provider || ':' || outcome from delivery_attempts where delivery_id = ?"
            + " order by attempt_number",
        delivery);
  }
}
