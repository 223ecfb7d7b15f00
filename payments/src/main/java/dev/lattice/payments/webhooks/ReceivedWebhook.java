package dev.lattice.payments.webhooks;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A provider webhook as payments records it ({@code provider_webhook_events}), once per provider
 * event id. Immutable.
 *
 * @param refundId null unless the webhook is about a refund
 * @param signTime the signed {@code t=} timestamp of its signature
 * @param payload the body exactly as received (JSON)
 */
public record ReceivedWebhook(
    UUID id,
    UUID tenantId,
    String provider,
    String providerEventId,
    String eventType,
    UUID paymentId,
    UUID refundId,
    OffsetDateTime signTime,
    OffsetDateTime receiveTime,
    String payload) {}
