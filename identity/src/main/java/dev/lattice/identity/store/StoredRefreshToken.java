package dev.lattice.identity.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code refresh_tokens} as the rotation reads it (never its hash). A time that is not set
 * is {@code null}. Immutable.
 *
 * @param expireTime the family's absolute expiry
 * @param idleExpireTime when this token lapses unused
 */
public record StoredRefreshToken(
    UUID id,
    UUID tenantId,
    UUID userId,
    UUID familyId,
    OffsetDateTime expireTime,
    OffsetDateTime idleExpireTime,
    OffsetDateTime useTime,
    OffsetDateTime revokeTime) {}
