package dev.lattice.identity.accounts;

import dev.lattice.identity.store.StoredUser;
import java.util.UUID;

/**
 * Whom an account mail goes to: the user, at the version its event describes, and what the mail
 * needs to address them. Immutable.
 */
record MailRecipient(
    UUID tenantId, UUID userId, long version, String email, String displayName, String locale) {

  static MailRecipient of(StoredUser user) {
    return new MailRecipient(
        user.tenantId(),
        user.id(),
        user.version(),
        user.email(),
        user.displayName(),
        user.locale());
  }
}
