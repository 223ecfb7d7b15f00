package dev.lattice.notifications.delivery;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.notifications.v1.NotificationFailed;
import dev.lattice.notifications.v1.NotificationSent;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import org.jooq.DSLContext;

/**
 * Appends NotificationSent and NotificationFailed to the outbox in the caller's transaction:
 * aggregate type {@value #DELIVERY}, aggregate id the delivery id, version the delivery's version.
 * They name the delivery, never its text or address.
 */
public final class DeliveryEvents {

  /** Aggregate type of notifications' events. */
  public static final String DELIVERY = "delivery";

  private static final Actor SYSTEM =
      Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("notifications").build();

  private final OutboxWriter outbox;

  public DeliveryEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** NotificationSent of {@code delivery} (already updated to SENT). */
  public void sent(DSLContext tx, DeliveriesRecord delivery) {
    append(tx, delivery, NotificationSent.newBuilder()
        .setDeliveryId(delivery.getId().toString())
        .setRecipientId(delivery.getRecipientId().toString())
        .setChannel(ChannelNames.of(delivery.getChannel()))
        .setTemplateKey(delivery.getTemplateKey())
        .setSourceEventId(delivery.getSourceEventId().toString())
        .setProviderMessageId(nullToEmpty(delivery.getProviderMessageId()))
        .setAttemptCount(delivery.getAttemptCount())
        .build());
  }

  /** NotificationFailed of {@code delivery} (already updated to FAILED). */
  public void failed(DSLContext tx, DeliveriesRecord delivery) {
    append(tx, delivery, NotificationFailed.newBuilder()
        .setDeliveryId(delivery.getId().toString())
        .setRecipientId(delivery.getRecipientId().toString())
        .setChannel(ChannelNames.of(delivery.getChannel()))
        .setTemplateKey(delivery.getTemplateKey())
        .setSourceEventId(delivery.getSourceEventId().toString())
        .setErrorCode(delivery.getLastErrorCode())
        .setErrorMessage(delivery.getLastErrorMessage())
        .setAttemptCount(delivery.getAttemptCount())
        .build());
  }

  private void append(DSLContext tx, DeliveriesRecord delivery, com.google.protobuf.Message payload) {
    outbox.append(tx, OutboxEvent.builder()
        .tenantId(delivery.getTenantId())
        .aggregate(DELIVERY, delivery.getId().toString(), delivery.getVersion())
        .actor(SYSTEM)
        .payload(payload)
        .causationId(delivery.getSourceEventId().toString())
        .build());
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
