package dev.lattice.audit;

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

/** An ES256 key like identity's and access tokens signed with it, for calling audit in tests. */
final class AuditTokens {

  private final ECKey key;

  private AuditTokens(ECKey key) {
    this.key = key;
  }

  /** A fresh P-256 key. */
  static AuditTokens generate() {
    try {
      return new AuditTokens(new ECKeyGenerator(Curve.P_256).keyID("audit-test-key").generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key, as identity's JWKS would serve it. */
  StaticKeySource keySource() {
    return StaticKeySource.of(key.toPublicJWK());
  }

  /** A token of a random user of {@code tenantId} with {@code role} and {@code permissions}, for 15 minutes. */
  String token(UUID tenantId, String role, String... permissions) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer("lattice-identity")
        .audience("lattice")
        .subject(UUID.randomUUID().toString())
        .claim("tenant_id", tenantId.toString())
        .claim("roles", List.of(role))
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
