package dev.lattice.payments.saga;

import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.PermanentEventException;
import java.util.UUID;

/** Ids read from consumed events; a malformed one is a poison message. */
final class SagaIds {

  private SagaIds() {}

  /** The envelope's tenant. */
  static UUID tenant(EventContext context) {
    return uuid("tenant_id", context.envelope().getTenantId());
  }

  /** {@code value} as a UUID, or a {@link PermanentEventException} naming {@code field}. */
  static UUID uuid(String field, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new PermanentEventException(field + " is not a UUID: '" + value + "'", e);
    }
  }
}
