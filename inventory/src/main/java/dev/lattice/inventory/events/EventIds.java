package dev.lattice.inventory.events;

import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.PermanentEventException;
import java.util.UUID;

/** The ids consumed events carry, parsed; a malformed one makes the event a dead letter. */
final class EventIds {

  private EventIds() {}

  /** The envelope's tenant: the tenant of the event (decision 0008). */
  static UUID tenant(EventContext context) {
    return uuid("tenant_id", context.envelope().getTenantId());
  }

  /**
   * {@code value} as a UUID.
   *
   * @throws PermanentEventException if it is not one (a retry cannot fix the event)
   */
  static UUID uuid(String field, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new PermanentEventException(field + " is not a UUID: '" + value + "'", e);
    }
  }
}
