package dev.lattice.platform.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * An outbox row a relay has claimed for publishing, as shown to {@link OutboxRelay.Listener}s. The
 * message body and headers are not included.
 *
 * @param outboxId the row id (publish order)
 * @param eventId the envelope's {@code event_id} and {@code Nats-Msg-Id}
 * @param tenantId the envelope's {@code tenant_id}
 * @param aggregateType the envelope's {@code aggregate_type}
 * @param aggregateId the envelope's {@code aggregate_id}
 * @param aggregateVersion the envelope's {@code aggregate_version}
 * @param subject the subject it is published on
 * @param eventType the payload's full protobuf name
 * @param attempts failed publish attempts before this one
 * @param createTime when the row was written (start of the writing transaction)
 */
public record PendingEvent(
    long outboxId,
    UUID eventId,
    UUID tenantId,
    String aggregateType,
    String aggregateId,
    long aggregateVersion,
    String subject,
    String eventType,
    int attempts,
    Instant createTime) {}
