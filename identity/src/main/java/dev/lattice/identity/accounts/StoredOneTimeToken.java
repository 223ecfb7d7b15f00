package dev.lattice.identity.accounts;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code one_time_tokens} as spending reads it (never its hash). A time that is not set is
 * {@code null}. Immutable.
 */
record StoredOneTimeToken(
    UUID id,
    UUID tenantId,
    UUID userId,
    String purpose,
    OffsetDateTime expireTime,
    OffsetDateTime useTime,
    OffsetDateTime revokeTime) {}
