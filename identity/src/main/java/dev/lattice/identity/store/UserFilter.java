package dev.lattice.identity.store;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Which users of a tenant ListUsers wants, newest first. Immutable.
 *
 * @param status only users in this status; when empty, deleted users only with {@code showDeleted}
 * @param emailPrefix only normalized addresses starting with it (empty: any)
 * @param role only holders of the role with this name (empty: any)
 * @param after only users after this one in the order (the page token's position)
 */
public record UserFilter(
    UUID tenantId,
    Optional<String> status,
    boolean showDeleted,
    String emailPrefix,
    String role,
    Optional<Position> after) {

  /** A place in the order: (create_time, id) descending. */
  public record Position(OffsetDateTime createTime, UUID id) {}
}
