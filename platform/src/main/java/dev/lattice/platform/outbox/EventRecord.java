package dev.lattice.platform.outbox;

import dev.lattice.events.v1.Envelope;
import java.util.UUID;

/**
 * An event as written to the outbox by {@link OutboxWriter#append}. Visible to others, and to the
 * relay, only once the caller's transaction commits.
 *
 * @param outboxId the row id: the event's place in the publish order
 * @param eventId the envelope's {@code event_id}, also the {@code Nats-Msg-Id}
 * @param subject the NATS subject it will be published on
 * @param envelope the envelope exactly as it will be published
 */
public record EventRecord(long outboxId, UUID eventId, String subject, Envelope envelope) {}
