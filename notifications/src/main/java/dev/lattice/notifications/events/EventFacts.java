package dev.lattice.notifications.events;

import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventIds;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.UUID;

/** What consumed events carry, parsed; a malformed id makes the event a dead letter. */
final class EventFacts {

  private EventFacts() {}

  /** The envelope's tenant. */
  static UUID tenant(EventContext context) {
    return EventIds.tenant(context);
  }

  /** The envelope's event id. */
  static UUID eventId(EventContext context) {
    return EventIds.eventId(context);
  }

  /** When the event happened, or now if it does not say. */
  static OffsetDateTime occurred(EventContext context) {
    var at = context.envelope().getOccurredAt();
    if (at.getSeconds() == 0) {
      return OffsetDateTime.now(ZoneOffset.UTC);
    }
    return OffsetDateTime.ofInstant(
        java.time.Instant.ofEpochSecond(at.getSeconds(), at.getNanos()), ZoneOffset.UTC);
  }

  /** {@code amountMinor} of {@code currency} as text: 1999 EUR → "19.99". */
  static String amount(long amountMinor, String currency) {
    int digits = 2;
    try {
      digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    } catch (IllegalArgumentException e) {
      // an unknown code keeps two decimals
    }
    return BigDecimal.valueOf(amountMinor, digits).toPlainString();
  }
}
