package dev.lattice.notifications.directory;

import java.util.UUID;

/**
 * Who a message goes to, as identity last described them.
 *
 * @param userId the user
 * @param tenantId the user's tenant
 * @param email the address
 * @param displayName the name to greet
 * @param locale BCP 47 language tag
 */
public record Recipient(
    UUID userId, UUID tenantId, String email, String displayName, String locale) {

  /** Keeps the address out of logs. */
  @Override
  public String toString() {
    return "Recipient[" + userId + "]";
  }
}
