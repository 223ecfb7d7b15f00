package dev.lattice.notifications.events;

import dev.lattice.notifications.v1.NotificationFailed;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.PermanentEventException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every delivery that exhausted its attempts into DEAD_LETTERS, where operators find what the
 * platform could not deliver ({@code OperationsService.ListDeadLetters}, service {@code
 * notifications}): notifications consumes its own NotificationFailed and refuses it as a permanent
 * failure, so the platform dead-letters the event with the delivery, channel, template, attempts
 * and error code, never the text or the address.
 *
 * <p>A replay of such a dead letter is acknowledged without effect: the delivery's text and address
 * were cleared when it failed (a security mail's token must not outlive its use), so it cannot be
 * sent again as it was; the recipient's next message is planned afresh. Stateless and thread-safe.
 */
public final class FailedDeliveries {

  private static final Logger log = LoggerFactory.getLogger(FailedDeliveries.class);

  private FailedDeliveries() {}

  /** The handler of {@code NotificationFailed}. */
  public static void onFailed(EventContext context, NotificationFailed failed) {
    if (context.isReplay()) {
      log.warn(
          "dead letter of delivery {} replayed: it cannot be resent (its text was cleared when it"
              + " failed); nothing done",
          failed.getDeliveryId());
      return;
    }
    throw new PermanentEventException(
        "delivery "
            + failed.getDeliveryId()
            + " ("
            + failed.getChannel()
            + ", "
            + failed.getTemplateKey()
            + ") failed after "
            + failed.getAttemptCount()
            + " attempts: "
            + failed.getErrorCode());
  }
}
