package dev.lattice.notifications.delivery;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Which of a tenant's deliveries a ListDeliveries page shows. Immutable.
 *
 * @param tenantId the tenant
 * @param status only this status (one of {@link DeliveryStatuses}), if given
 * @param recipientId only this recipient's, if given
 * @param channel only this stored channel name's, if given
 * @param sourceEventId only those this event caused, if given
 * @param after only deliveries after this one in newest-first order, if given
 */
public record DeliveryFilter(
    UUID tenantId,
    Optional<String> status,
    Optional<UUID> recipientId,
    Optional<String> channel,
    Optional<UUID> sourceEventId,
    Optional<After> after) {

  /**
   * Where a page starts: the last delivery of the page before.
   *
   * @param createTime its creation time
   * @param id its id
   */
  public record After(OffsetDateTime createTime, UUID id) {}
}
