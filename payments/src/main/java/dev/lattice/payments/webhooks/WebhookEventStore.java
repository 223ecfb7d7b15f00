package dev.lattice.payments.webhooks;

import static dev.lattice.payments.store.jooq.Tables.PROVIDER_WEBHOOK_EVENTS;

import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * The SQL of the provider webhooks payments has seen ({@code provider_webhook_events}): the record
 * that makes a redelivered webhook a duplicate. Stateless.
 */
public final class WebhookEventStore {

  private WebhookEventStore() {}

  /** Whether the provider's event {@code eventId} was recorded. */
  public static boolean seen(DSLContext ctx, String provider, String eventId) {
    return ctx.fetchExists(
        PROVIDER_WEBHOOK_EVENTS,
        PROVIDER_WEBHOOK_EVENTS
            .PROVIDER
            .eq(provider)
            .and(PROVIDER_WEBHOOK_EVENTS.PROVIDER_EVENT_ID.eq(eventId)));
  }

  /** Records the webhook; false when its provider event id was recorded before. */
  public static boolean insertIfNew(DSLContext tx, ReceivedWebhook webhook) {
    return tx.insertInto(PROVIDER_WEBHOOK_EVENTS)
            .set(PROVIDER_WEBHOOK_EVENTS.ID, webhook.id())
            .set(PROVIDER_WEBHOOK_EVENTS.TENANT_ID, webhook.tenantId())
            .set(PROVIDER_WEBHOOK_EVENTS.PROVIDER, webhook.provider())
            .set(PROVIDER_WEBHOOK_EVENTS.PROVIDER_EVENT_ID, webhook.providerEventId())
            .set(PROVIDER_WEBHOOK_EVENTS.EVENT_TYPE, webhook.eventType())
            .set(PROVIDER_WEBHOOK_EVENTS.PAYMENT_ID, webhook.paymentId())
            .set(PROVIDER_WEBHOOK_EVENTS.REFUND_ID, webhook.refundId())
            .set(PROVIDER_WEBHOOK_EVENTS.SIGN_TIME, webhook.signTime())
            .set(PROVIDER_WEBHOOK_EVENTS.RECEIVE_TIME, webhook.receiveTime())
            .set(PROVIDER_WEBHOOK_EVENTS.PAYLOAD, JSONB.valueOf(webhook.payload()))
            .onConflict(PROVIDER_WEBHOOK_EVENTS.PROVIDER, PROVIDER_WEBHOOK_EVENTS.PROVIDER_EVENT_ID)
            .doNothing()
            .execute()
        == 1;
  }
}
