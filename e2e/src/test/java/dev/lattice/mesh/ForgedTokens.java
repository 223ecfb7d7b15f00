package dev.lattice.mesh;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.keys.SigningKeys;
import dev.lattice.identity.tokens.AccessTokens;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Access tokens as an attacker, or identity itself, would make them for a running mesh: signed with
 * identity's current key (read from its database and decrypted with the mesh's key-encryption key,
 * as identity does), with a key of the attacker's own under identity's {@code kid}, unsigned, or
 * HMAC-signed with identity's public key. Claims start from a real access token, so that one change
 * at a time is what a verifier must notice. Immutable and thread-safe.
 */
final class ForgedTokens {

  private final ECKey identityKey;
  private final ECKey strangerKey;

  private ForgedTokens(ECKey identityKey, ECKey strangerKey) {
    this.identityKey = identityKey;
    this.strangerKey = strangerKey;
  }

  /** With identity's current signing key, read from {@code mesh}'s identity database. */
  static ForgedTokens of(SharedMesh mesh) {
    try (Connection connection =
        DriverManager.getConnection(mesh.jdbcUrl("identity"), "postgres", "")) {
      SigningKeys keys =
          new SigningKeys(
              DSL.using(connection, SQLDialect.POSTGRES),
              KeyEncryption.fromBase64(mesh.secret("identity.kek")),
              Clock.systemUTC());
      SigningKeys.StoredKey key =
          keys.refresh()
              .signingKey(Instant.now())
              .orElseThrow(() -> new IllegalStateException("identity has no active signing key"));
      ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID(key.kid()).generate();
      return new ForgedTokens(keys.privateKey(key), stranger);
    } catch (SQLException | JOSEException e) {
      throw new IllegalStateException("cannot read identity's signing key", e);
    }
  }

  /** The claims of a real access token, with a fresh {@code jti}, to change and sign again. */
  static JWTClaimsSet.Builder claimsOf(String accessToken) {
    try {
      return new JWTClaimsSet.Builder(SignedJWT.parse(accessToken).getJWTClaimsSet())
          .jwtID(UUID.randomUUID().toString());
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a signed JWT", e);
    }
  }

  /** {@code claims} shifted so that they expired {@code secondsAgo}. */
  static JWTClaimsSet expired(JWTClaimsSet.Builder claims, long secondsAgo) {
    Instant expiry = Instant.now().minusSeconds(secondsAgo);
    return claims
        .issueTime(Date.from(expiry.minusSeconds(900)))
        .notBeforeTime(Date.from(expiry.minusSeconds(900)))
        .expirationTime(Date.from(expiry))
        .build();
  }

  /** Signed with identity's key, as identity signs: ES256, its {@code kid}, {@code at+jwt}. */
  String signed(JWTClaimsSet claims) {
    return es256(claims, identityKey, identityKey.getKeyID());
  }

  /** Signed with identity's key under another {@code kid}. */
  String signedWithKid(JWTClaimsSet claims, String kid) {
    return es256(claims, identityKey, kid);
  }

  /** Signed ES256 with a key that is not identity's, under identity's {@code kid}. */
  String signedByStranger(JWTClaimsSet claims) {
    return es256(claims, strangerKey, identityKey.getKeyID());
  }

  /** {@code alg: none}: no signature at all. */
  static String unsigned(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  /** HS256 with identity's public key (its JWK text) as the shared secret: algorithm confusion. */
  String hmacWithPublicKey(JWTClaimsSet claims) {
    byte[] secret = identityKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256)
                  .keyID(identityKey.getKeyID())
                  .type(AccessTokens.TYPE)
                  .build(),
              claims);
      jwt.sign(new MACSigner(Arrays.copyOf(secret, Math.max(32, secret.length))));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String es256(JWTClaimsSet claims, ECKey key, String kid) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(AccessTokens.TYPE).build(),
              claims);
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
