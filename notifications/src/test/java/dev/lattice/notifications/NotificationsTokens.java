package dev.lattice.notifications;

import dev.lattice.platform.auth.StaticKeySource;
import dev.lattice.testing.service.TestKey;
import java.util.UUID;

/**
 * A test key notifications trusts, and tokens of its users: customers, or staff with permissions.
 */
final class NotificationsTokens {

  private final TestKey key = TestKey.generate("notifications-test-key");

  /** A fresh key. */
  static NotificationsTokens generate() {
    return new NotificationsTokens();
  }

  /** The public key, as identity's JWKS would serve it. */
  StaticKeySource keySource() {
    return key.keySource();
  }

  /** A 15-minute token of user {@code userId}: a customer without permissions, else staff. */
  String token(UUID tenantId, UUID userId, String... permissions) {
    return key.token(tenantId, userId, permissions.length == 0 ? "customer" : "staff", permissions);
  }
}
