package dev.lattice.identity.roles;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code roles}: a built-in role (global, {@code tenantId} and {@code createTime} null) or
 * a tenant's custom role. Immutable.
 */
record StoredRole(
    UUID id,
    UUID tenantId,
    String name,
    String description,
    boolean builtIn,
    OffsetDateTime createTime) {}
