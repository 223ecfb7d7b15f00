package dev.lattice.audit.store;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The filters of a search of one tenant's log; empty strings and empty optionals match anything.
 *
 * @param tenantId the tenant
 * @param actorSubjectId only this actor
 * @param entityType only this kind of entity
 * @param entityId only this entity (with entityType)
 * @param action only this action
 * @param start only events at or after this time
 * @param end only events before this time
 * @param beforeSequence keyset: only records with a lower sequence
 * @param limit the most records returned
 */
public record AuditQuery(
    UUID tenantId,
    String actorSubjectId,
    String entityType,
    String entityId,
    String action,
    Optional<Instant> start,
    Optional<Instant> end,
    OptionalLong beforeSequence,
    int limit) {}
