package dev.lattice.orders;

import dev.lattice.platform.auth.StaticKeySource;
import dev.lattice.testing.service.TestKey;
import java.util.UUID;

/**
 * A test key trusted by both orders and inventory in the tests, and the permissions of the roles
 * the tests sign tokens for.
 */
final class OrdersTokens {

  /** What a customer holds (the built-in role). */
  static final String[] CUSTOMER = {"orders.read", "orders.write", "inventory.read"};

  /** What staff hold. */
  static final String[] STAFF = {
    "orders.read", "orders.write", "orders.manage", "inventory.read", "inventory.write"
  };

  private final TestKey key = TestKey.generate("orders-test-key");

  /** A fresh key. */
  static OrdersTokens generate() {
    return new OrdersTokens();
  }

  /** The public key, as identity's JWKS would serve it. */
  StaticKeySource keySource() {
    return key.keySource();
  }

  /** A 15-minute token of user {@code subject} of {@code tenantId} with {@code permissions}. */
  String token(UUID tenantId, UUID subject, String... permissions) {
    return key.token(tenantId, subject, "test", permissions);
  }
}
