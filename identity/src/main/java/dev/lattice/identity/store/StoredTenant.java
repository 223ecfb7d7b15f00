package dev.lattice.identity.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code tenants}; {@code status} is the column's text ({@code ACTIVE}, {@code
 * SUSPENDED}). Immutable.
 */
public record StoredTenant(
    UUID id,
    String slug,
    String displayName,
    String status,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    long version) {}
