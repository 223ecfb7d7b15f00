package dev.lattice.notifications.delivery;

import dev.lattice.notifications.directory.Recipient;
import dev.lattice.notifications.messages.NotificationType;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A fact some event reported that a user should hear about.
 *
 * @param tenantId the event's tenant
 * @param recipientId the user
 * @param type what kind of message
 * @param objectId what it is about (the order, the refund, the request): with recipient, channel
 *     and type it makes the delivery's dedupe key
 * @param values the template's placeholders; may hold single-use tokens, never logged
 * @param addressedTo the address the event itself carries (identity's security events), else empty
 *     and the recipient directory answers
 * @param eventId Envelope.event_id of the cause
 * @param eventType Envelope.type of the cause
 */
public record Trigger(
    UUID tenantId,
    UUID recipientId,
    NotificationType type,
    String objectId,
    Map<String, String> values,
    Optional<Recipient> addressedTo,
    UUID eventId,
    String eventType) {

  /** Keeps the values (tokens) out of logs. */
  @Override
  public String toString() {
    return "Trigger[" + type + " " + objectId + " for " + recipientId + " by " + eventId + "]";
  }
}
