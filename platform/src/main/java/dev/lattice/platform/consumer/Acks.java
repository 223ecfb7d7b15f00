package dev.lattice.platform.consumer;

import io.nats.client.Message;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledgements that cannot fail the consumer. They are fire-and-forget publishes; while NATS is
 * unreachable they are lost, and the server redelivers the message after its ack wait: the inbox
 * makes that harmless for an acknowledgement, and the backoff merely shortens for a nak.
 */
final class Acks {

  private static final Logger log = LoggerFactory.getLogger(Acks.class);

  private Acks() {}

  static void ack(Message message, JetStreamDelivery delivery) {
    try {
      message.ack();
    } catch (RuntimeException e) {
      log.warn(
          "ack of {} not sent ({}); it will be redelivered and found in the inbox",
          delivery,
          e.toString());
    }
  }

  static void nak(Message message, JetStreamDelivery delivery, Duration delay) {
    try {
      if (delay.isZero()) {
        message.nak();
      } else {
        message.nakWithDelay(delay);
      }
    } catch (RuntimeException e) {
      log.warn(
          "nak of {} not sent ({}); it will be redelivered after the ack wait",
          delivery,
          e.toString());
    }
  }

  static void term(Message message, JetStreamDelivery delivery) {
    try {
      message.term();
    } catch (RuntimeException e) {
      log.warn(
          "term of dead-lettered {} not sent ({}); a redelivery dead-letters it once more "
              + "(deduplicated within the DEAD_LETTERS duplicate window)",
          delivery,
          e.toString());
    }
  }
}
