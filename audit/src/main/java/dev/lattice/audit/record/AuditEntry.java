package dev.lattice.audit.record;

import dev.lattice.events.v1.Envelope;
import java.util.UUID;

/**
 * One event to append to its tenant's chain.
 *
 * @param tenantId the tenant whose chain gets the record (from {@code Envelope.tenant_id})
 * @param envelope the event as received
 * @param payload the payload as stored (redacted, with JSON and old/new values)
 */
public record AuditEntry(UUID tenantId, Envelope envelope, RenderedPayload payload) {}
