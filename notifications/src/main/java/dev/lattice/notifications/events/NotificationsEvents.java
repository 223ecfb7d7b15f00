package dev.lattice.notifications.events;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.delivery.Delivery;
import dev.lattice.notifications.v1.NotificationFailed;
import dev.lattice.notifications.v1.NotificationSent;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import org.jooq.DSLContext;

/**
 * What notifications publishes, and the only writer of its outbox: NotificationSent and
 * NotificationFailed, appended in the caller's transaction (delivery calls it in the transaction
 * that changes the delivery): aggregate type {@value #DELIVERY}, aggregate id the delivery id,
 * version the delivery's version. They name the delivery, never its text or address. Thread-safe.
 */
public final class NotificationsEvents {

  /** Aggregate type of notifications' events. */
  public static final String DELIVERY = "delivery";

  private static final Actor SYSTEM =
      Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("notifications").build();

  private final OutboxWriter outbox;

  public NotificationsEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** NotificationSent of {@code delivery} (already updated to SENT). */
  public void sent(DSLContext tx, Delivery delivery) {
    append(
        tx,
        delivery,
        NotificationSent.newBuilder()
            .setDeliveryId(delivery.id().toString())
            .setRecipientId(delivery.recipientId().toString())
            .setChannel(ChannelNames.of(delivery.channel()))
            .setTemplateKey(delivery.templateKey())
            .setSourceEventId(delivery.sourceEventId().toString())
            .setProviderMessageId(nullToEmpty(delivery.providerMessageId()))
            .setAttemptCount(delivery.attemptCount())
            .build());
  }

  /** NotificationFailed of {@code delivery} (already updated to FAILED). */
  public void failed(DSLContext tx, Delivery delivery) {
    append(
        tx,
        delivery,
        NotificationFailed.newBuilder()
            .setDeliveryId(delivery.id().toString())
            .setRecipientId(delivery.recipientId().toString())
            .setChannel(ChannelNames.of(delivery.channel()))
            .setTemplateKey(delivery.templateKey())
            .setSourceEventId(delivery.sourceEventId().toString())
            .setErrorCode(delivery.lastErrorCode())
            .setErrorMessage(delivery.lastErrorMessage())
            .setAttemptCount(delivery.attemptCount())
            .build());
  }

  private void append(DSLContext tx, Delivery delivery, com.google.protobuf.Message payload) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(delivery.tenantId())
            .aggregate(DELIVERY, delivery.id().toString(), delivery.version())
            .actor(SYSTEM)
            .payload(payload)
            .causationId(delivery.sourceEventId().toString())
            .build());
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
