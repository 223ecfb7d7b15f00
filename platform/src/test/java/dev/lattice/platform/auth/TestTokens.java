package dev.lattice.platform.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.v1.Jwk;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An EC P-256 signing key like identity's, and access tokens minted with it: good ones by default,
 * any bad shape on request (wrong header, claims, algorithm or signer).
 *
 * <pre>{@code
 * TestTokens tokens = TestTokens.generate();
 * TokenVerifier verifier = new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), clock);
 * String jwt = tokens.token().permissions("orders.read").sign();
 * }</pre>
 */
public final class TestTokens {

  /** The kid of keys made by {@link #generate()}. */
  public static final String KID = "test-key-1";

  /** How long minted tokens live unless told otherwise. */
  public static final Duration LIFETIME = Duration.ofMinutes(15);

  private final ECKey key;

  private TestTokens(ECKey key) {
    this.key = key;
  }

  /** A fresh key with kid {@value #KID}. */
  public static TestTokens generate() {
    return generate(KID);
  }

  /** A fresh key with {@code kid}. */
  public static TestTokens generate(String kid) {
    try {
      return new TestTokens(new ECKeyGenerator(Curve.P_256).keyID(kid).generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key pair, private part included. */
  public ECKey signingKey() {
    return key;
  }

  /** The public key, as identity publishes it. */
  public ECKey publicKey() {
    return key.toPublicJWK();
  }

  /** The kid of this key. */
  public String kid() {
    return key.getKeyID();
  }

  /** A key source holding this public key only. */
  public StaticKeySource keySource() {
    return StaticKeySource.of(publicKey());
  }

  /** The public key as identity's {@code GetJwks} returns it. */
  public Jwk jwkProto() {
    return Jwk.newBuilder()
        .setKty("EC")
        .setKid(kid())
        .setUse("sig")
        .setAlg("ES256")
        .setCrv("P-256")
        .setX(key.getX().toString())
        .setY(key.getY().toString())
        .build();
  }

  /** A good token for a random user and tenant, valid from now for 15 minutes; change anything. */
  public Token token() {
    return new Token(Instant.now());
  }

  /** A good token valid from {@code issuedAt} for 15 minutes. */
  public Token token(Instant issuedAt) {
    return new Token(issuedAt);
  }

  /** A token being minted; every setter returns it. Not thread-safe. */
  public final class Token {

    private JWSAlgorithm algorithm = JWSAlgorithm.ES256;
    private String keyId = kid();
    private String type = TokenVerifier.ACCESS_TOKEN_TYPE;
    private final Map<String, Object> headerParams = new LinkedHashMap<>();
    private JWK embeddedKey;
    private Set<String> critical = Set.of();
    private final Map<String, Object> claims = new LinkedHashMap<>();

    private Token(Instant issuedAt) {
      claims.put("iss", AuthConfig.DEFAULT_ISSUER);
      claims.put("aud", List.of(AuthConfig.DEFAULT_AUDIENCE));
      claims.put("sub", UUID.randomUUID().toString());
      claims.put(TokenVerifier.TENANT_ID_CLAIM, UUID.randomUUID().toString());
      claims.put(TokenVerifier.ROLES_CLAIM, List.of("customer"));
      claims.put(TokenVerifier.PERMISSIONS_CLAIM, List.of());
      claims.put("iat", Date.from(issuedAt));
      claims.put("nbf", Date.from(issuedAt));
      claims.put("exp", Date.from(issuedAt.plus(LIFETIME)));
      claims.put("jti", UUID.randomUUID().toString());
    }

    /** The {@code alg} header; sign with a matching signer through {@link #signWith}. */
    public Token algorithm(JWSAlgorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /** The {@code kid} header; null leaves it out. */
    public Token keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /** The {@code typ} header; null leaves it out. */
    public Token type(String type) {
      this.type = type;
      return this;
    }

    /** Marks header parameters critical ({@code crit}); set them with {@link #headerParam}. */
    public Token critical(String... names) {
      this.critical = Set.of(names);
      return this;
    }

    /** Any header parameter that is not a registered one. */
    public Token headerParam(String name, Object value) {
      headerParams.put(name, value);
      return this;
    }

    /** A {@code jwk} header embedding {@code key}'s public part (which verifiers must ignore). */
    public Token embeddedKey(JWK key) {
      this.embeddedKey = key.toPublicJWK();
      return this;
    }

    public Token subject(String subject) {
      return claim("sub", subject);
    }

    public Token tenantId(String tenantId) {
      return claim(TokenVerifier.TENANT_ID_CLAIM, tenantId);
    }

    public Token issuer(String issuer) {
      return claim("iss", issuer);
    }

    public Token audience(String... audience) {
      return claim("aud", List.of(audience));
    }

    public Token roles(String... roles) {
      return claim(TokenVerifier.ROLES_CLAIM, List.of(roles));
    }

    public Token permissions(String... permissions) {
      return claim(TokenVerifier.PERMISSIONS_CLAIM, List.of(permissions));
    }

    public Token expiresAt(Instant expiresAt) {
      return claim("exp", Date.from(expiresAt));
    }

    public Token notBefore(Instant notBefore) {
      return claim("nbf", Date.from(notBefore));
    }

    /** Sets any claim; dates as {@link Date}. */
    public Token claim(String name, Object value) {
      claims.put(name, value);
      return this;
    }

    /** Leaves claims out. */
    public Token without(String... names) {
      for (String name : names) {
        claims.remove(name);
      }
      return this;
    }

    /** The claims as they stand. */
    public JWTClaimsSet claims() {
      JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
      claims.forEach(builder::claim);
      return builder.build();
    }

    /** Signed with the key of this {@link TestTokens}. */
    public String sign() {
      try {
        return signWith(new ECDSASigner(key));
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Signed by {@code signer} (which must support the {@linkplain #algorithm algorithm}). */
    public String signWith(JWSSigner signer) {
      JWSHeader.Builder header = new JWSHeader.Builder(algorithm).keyID(keyId);
      if (type != null) {
        header.type(new JOSEObjectType(type));
      }
      if (embeddedKey != null) {
        header.jwk(embeddedKey);
      }
      if (!critical.isEmpty()) {
        header.criticalParams(critical);
      }
      headerParams.forEach(header::customParam);
      SignedJWT jwt = new SignedJWT(header.build(), claims());
      try {
        jwt.sign(signer);
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
      return jwt.serialize();
    }

    /** An unsecured JWT ({@code alg: none}, empty signature) with the same kid, typ and claims. */
    public String unsecured() {
      PlainHeader.Builder header = new PlainHeader.Builder().customParam("kid", keyId);
      if (type != null) {
        header.type(new JOSEObjectType(type));
      }
      return new PlainJWT(header.build(), claims()).serialize();
    }
  }
}
