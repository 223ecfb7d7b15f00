package dev.lattice.platform.consumer;

import java.util.UUID;

/**
 * The ids a consumed event carries, parsed: a malformed one can never be processed, so it makes the
 * event a dead letter ({@link PermanentEventException}) rather than a retry.
 */
public final class EventIds {

  private EventIds() {}

  /** The envelope's tenant: the tenant of the event. */
  public static UUID tenant(EventContext context) {
    return uuid("tenant_id", context.envelope().getTenantId());
  }

  /** The envelope's event id. */
  public static UUID eventId(EventContext context) {
    return uuid("event_id", context.envelope().getEventId());
  }

  /**
   * {@code value} of the event's {@code field} as a UUID.
   *
   * @throws PermanentEventException if it is not one (a retry cannot fix the event)
   */
  public static UUID uuid(String field, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new PermanentEventException(field + " is not a UUID: '" + value + "'", e);
    }
  }
}
