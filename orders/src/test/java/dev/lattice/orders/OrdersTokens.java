package dev.lattice.orders;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.platform.auth.StaticKeySource;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * An ES256 key like identity's, trusted by both orders and inventory in the tests, and access
 * tokens signed with it.
 */
final class OrdersTokens {

  /** What a customer holds (the built-in role). */
  static final String[] CUSTOMER = {"orders.read", "orders.write", "inventory.read"};

  /** What staff hold. */
  static final String[] STAFF = {
      "orders.read", "orders.write", "orders.manage", "inventory.read", "inventory.write"};

  private final ECKey key;

  private OrdersTokens(ECKey key) {
    this.key = key;
  }

  /** A fresh P-256 key. */
  static OrdersTokens generate() {
    try {
      return new OrdersTokens(new ECKeyGenerator(Curve.P_256).keyID("orders-test-key").generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key, as identity's JWKS would serve it. */
  StaticKeySource keySource() {
    return StaticKeySource.of(key.toPublicJWK());
  }

  /** A 15-minute token of user {@code subject} of {@code tenantId} with {@code permissions}. */
  String token(UUID tenantId, UUID subject, String... permissions) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer("lattice-identity")
        .audience("lattice")
        .subject(subject.toString())
        .claim("tenant_id", tenantId.toString())
        .claim("roles", List.of("test"))
        .claim("permissions", List.of(permissions))
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(15))))
        .jwtID(UUID.randomUUID().toString())
        .build();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
        .keyID(key.getKeyID())
        .type(new JOSEObjectType("at+jwt"))
        .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
