package dev.lattice.notifications.channels;

/**
 * One rendered message to send. Its text may carry single-use links: it is never logged.
 *
 * @param deliveryId the delivery it belongs to (sent as a header, so retries can be matched)
 * @param destination the address: an email address, or the user id for SMS and push
 * @param subject subject or title; empty for SMS
 * @param body the text
 */
public record OutgoingMessage(String deliveryId, String destination, String subject, String body) {

  /** Keeps the text out of logs and exception messages. */
  @Override
  public String toString() {
    return "OutgoingMessage[delivery=" + deliveryId + "]";
  }
}
