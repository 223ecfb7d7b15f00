package dev.lattice.identity.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.keys.SigningKeys;
import dev.lattice.identity.keys.SigningKeys.StoredKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Signs access tokens (RFC 9068 profile): header {@code alg=ES256}, {@code kid}, {@code
 * typ=at+jwt}; claims {@code iss}, {@code aud}, {@code sub} (user id), {@code tenant_id}, {@code
 * sid} (the refresh token family, so ChangePassword can keep the caller's session), {@code roles},
 * {@code permissions}, {@code iat}, {@code nbf}, {@code exp}, {@code jti}. Every service verifies
 * them with the platform's auth interceptor against the JWKS.
 */
public final class AccessTokens {

  /** The {@code typ} header of access tokens. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");

  private final SigningKeys keys;
  private final String issuer;
  private final String audience;
  private final Duration ttl;
  private final Clock clock;

  public AccessTokens(SigningKeys keys, String issuer, String audience, Duration ttl, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.audience = audience;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A signed token and its expiry. */
  public record Issued(String token, Instant expireTime, int expiresInSeconds) {
    @Override
    public String toString() {
      return "Issued[token=<redacted>, expireTime=" + expireTime + "]";
    }
  }

  /** Signs a token for a user with the given roles and permissions. */
  public Issued issue(
      UUID userId, UUID tenantId, UUID sessionId, List<String> roles, List<String> permissions) {
    Instant now = clock.instant();
    StoredKey key =
        keys.ring()
            .signingKey(now)
            .or(() -> keys.refresh().signingKey(now))
            .orElseThrow(() -> new IllegalStateException("no signing key is active"));
    Instant expire = now.plus(ttl);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject(userId.toString())
            .claim("tenant_id", tenantId.toString())
            .claim("sid", sessionId.toString())
            .claim("roles", roles)
            .claim("permissions", permissions)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(expire))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.kid()).type(TYPE).build(), claims);
    try {
      jwt.sign(new ECDSASigner(keys.privateKey(key)));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with key " + key.kid(), e);
    }
    return new Issued(jwt.serialize(), expire, (int) ttl.toSeconds());
  }
}
