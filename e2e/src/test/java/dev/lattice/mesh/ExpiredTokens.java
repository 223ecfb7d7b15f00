package dev.lattice.mesh;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.IdentityConfig;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.keys.SigningKeys;
import dev.lattice.identity.tokens.AccessTokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Signs access tokens that are well formed and signed with identity's current key, but expired —
 * what a browser sends after leaving a tab open. Reads the key from identity's database and
 * decrypts it with the mesh's key-encryption key, as identity itself does.
 *
 * @param identityJdbcUrl identity's database
 * @param user its user
 * @param password its password
 * @param kekBase64 {@code LATTICE_IDENTITY_KEK}
 */
record ExpiredTokens(String identityJdbcUrl, String user, String password, String kekBase64) {

  /**
   * A token of {@code subject} in {@code tenantId} that expired {@code ago} (beyond the 60 s skew).
   */
  String mint(String subject, String tenantId, List<String> permissions, Duration ago) {
    try (Connection connection = DriverManager.getConnection(identityJdbcUrl, user, password)) {
      SigningKeys keys =
          new SigningKeys(
              DSL.using(connection, SQLDialect.POSTGRES),
              KeyEncryption.fromBase64(kekBase64),
              Clock.systemUTC());
      Instant now = Instant.now();
      SigningKeys.StoredKey key =
          keys.refresh()
              .signingKey(now)
              .orElseThrow(() -> new IllegalStateException("identity has no active signing key"));
      Instant expired = now.minus(ago);
      Instant issued = expired.minus(Duration.ofMinutes(15));
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .issuer(IdentityConfig.DEFAULT_ISSUER)
              .audience(IdentityConfig.DEFAULT_AUDIENCE)
              .subject(subject)
              .claim("tenant_id", tenantId)
              .claim("sid", UUID.randomUUID().toString())
              .claim("roles", List.of("customer"))
              .claim("permissions", permissions)
              .issueTime(Date.from(issued))
              .notBeforeTime(Date.from(issued))
              .expirationTime(Date.from(expired))
              .jwtID(UUID.randomUUID().toString())
              .build();
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256)
                  .keyID(key.kid())
                  .type(AccessTokens.TYPE)
                  .build(),
              claims);
      jwt.sign(new ECDSASigner(keys.privateKey(key)));
      return jwt.serialize();
    } catch (SQLException | JOSEException e) {
      throw new IllegalStateException("cannot sign an expired token with identity's key", e);
    }
  }
}
