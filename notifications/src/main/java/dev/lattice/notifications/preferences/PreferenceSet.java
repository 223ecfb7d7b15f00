package dev.lattice.notifications.preferences;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A user's saved preferences as a whole: the aggregate that carries the version. Immutable.
 *
 * @param userId the user
 * @param tenantId the user's tenant
 * @param updateTime when they were last saved
 * @param version 1 after the first save, one more per save
 */
public record PreferenceSet(UUID userId, UUID tenantId, OffsetDateTime updateTime, long version) {}
