package dev.lattice.testing.service;

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
 * An ES256 key like identity's, and access tokens signed with it: a service under test trusts
 * {@link #keySource()} instead of identity's JWKS, so its tests call it as real users would,
 * through the real auth interceptor. Thread-safe.
 */
public final class TestKey {

  private final ECKey key;

  private TestKey(ECKey key) {
    this.key = key;
  }

  /** A fresh P-256 key with key id {@code keyId}. */
  public static TestKey generate(String keyId) {
    try {
      return new TestKey(new ECKeyGenerator(Curve.P_256).keyID(keyId).generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key, as identity's JWKS would serve it. */
  public StaticKeySource keySource() {
    return StaticKeySource.of(key.toPublicJWK());
  }

  /**
   * A 15-minute token of a random user of {@code tenantId} with {@code role} and {@code
   * permissions}.
   */
  public String token(UUID tenantId, String role, String... permissions) {
    return token(tenantId, UUID.randomUUID(), role, permissions);
  }

  /**
   * A 15-minute token of user {@code subject} of {@code tenantId} with {@code role} and {@code
   * permissions}.
   */
  public String token(UUID tenantId, UUID subject, String role, String... permissions) {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("lattice-identity")
            .audience("lattice")
            .subject(subject.toString())
            .claim("tenant_id", tenantId.toString())
            .claim("roles", List.of(role))
            .claim("permissions", List.of(permissions))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(15))))
            .jwtID(UUID.randomUUID().toString())
            .build();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
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
