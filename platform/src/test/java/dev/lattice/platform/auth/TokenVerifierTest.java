package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.errors.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private final TestTokens tokens = TestTokens.generate();
  private final CountingKeys keys = new CountingKeys(tokens.keySource());
  private final TokenVerifier verifier = verifier(AuthConfig.defaults(), keys);

  private static TokenVerifier verifier(AuthConfig config, KeySource keys) {
    return new TokenVerifier(config, keys, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private TestTokens.Token token() {
    return tokens.token(NOW);
  }

  // ---- session and revocation ----

  @Test
  void sidClaim_becomesTheSessionId() {
    String sid = UUID.randomUUID().toString();
    assertThat(verifier.verify(token().claim("sid", sid).sign()).sessionId()).contains(sid);
    assertThat(verifier.verify(token().sign()).sessionId()).isEmpty();
  }

  @Test
  void tokenOfASubjectRevokedAfterIssue_isInvalid_aLaterTokenIsNot() {
    String subject = UUID.randomUUID().toString();
    RevokedSubjects revoked = RevokedSubjects.none(Clock.fixed(NOW, ZoneOffset.UTC));
    revoked.revoke(subject, NOW);
    TokenVerifier withRevocations =
        new TokenVerifier(
            AuthConfig.defaults(), keys, revoked, Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC));

    UnauthenticatedException e =
        catchThrowableOfType(
            UnauthenticatedException.class,
            () ->
                withRevocations.verify(tokens.token(NOW.minusSeconds(10)).subject(subject).sign()));
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
    assertThat(
            withRevocations
                .verify(tokens.token(NOW.plusSeconds(5)).subject(subject).sign())
                .subject())
        .isEqualTo(subject);
  }

  // ---- acceptance ----

  @Test
  void goodToken_yieldsPrincipalWithEveryClaim() {
    String subject = UUID.randomUUID().toString();
    String tenant = UUID.randomUUID().toString();
    String jwt =
        token()
            .subject(subject)
            .tenantId(tenant)
            .roles("staff")
            .permissions("orders.read", "orders.manage")
            .claim("jti", "token-1")
            .sign();

    Principal principal = verifier.verify(jwt);

    assertThat(principal.subject()).isEqualTo(subject);
    assertThat(principal.tenantId()).isEqualTo(tenant);
    assertThat(principal.roles()).containsExactly("staff");
    assertThat(principal.permissions()).containsExactlyInAnyOrder("orders.read", "orders.manage");
    assertThat(principal.tokenId()).isEqualTo("token-1");
    assertThat(principal.expiresAt()).isEqualTo(NOW.plus(TestTokens.LIFETIME));
    assertThat(principal.hasPermission("orders.manage")).isTrue();
    assertThat(principal.hasPermission("orders")).isFalse();
  }

  @Test
  void typ_isComparedIgnoringCase() {
    assertThat(verifier.verify(token().type("AT+JWT").sign())).isNotNull();
  }

  @Test
  void audience_asSingleStringOrAmongOthers_isAccepted() {
    assertThat(verifier.verify(token().claim("aud", "lattice").sign())).isNotNull();
    assertThat(verifier.verify(token().audience("envoy", "lattice").sign())).isNotNull();
  }

  @Test
  void rolesAndPermissionsAbsent_areEmpty() {
    Principal principal = verifier.verify(token().without("roles", "permissions").sign());

    assertThat(principal.roles()).isEmpty();
    assertThat(principal.permissions()).isEmpty();
  }

  @Test
  void expiredWithinSkew_isAccepted_atTheBoundaryToo() {
    assertThat(verifier.verify(token().expiresAt(NOW.minusSeconds(59)).sign())).isNotNull();
    assertThat(verifier.verify(token().expiresAt(NOW.minusSeconds(60)).sign())).isNotNull();
  }

  @Test
  void notBeforeWithinSkew_isAccepted() {
    assertThat(verifier.verify(token().notBefore(NOW.plusSeconds(59)).sign())).isNotNull();
  }

  @Test
  void tokenOfNearlyMaximumSize_isAccepted() {
    String jwt = token().claim("pad", "x".repeat(5_500)).sign();

    assertThat(jwt.length()).isBetween(7_500, TokenVerifier.MAX_TOKEN_CHARS);
    assertThat(verifier.verify(jwt)).isNotNull();
  }

  // ---- expiry ----

  @Test
  void expiredBeyondSkew_isTokenExpired() {
    UnauthenticatedException e = rejected(token().expiresAt(NOW.minusSeconds(61)).sign());

    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_EXPIRED);
    assertThat(e.getMessage()).isEqualTo("access token expired");
  }

  @Test
  void smallerSkew_isHonoured() {
    AuthConfig strict =
        new AuthConfig("lattice-identity", "lattice", Set.of(JWSAlgorithm.ES256), Duration.ZERO);

    assertThatThrownBy(
            () -> verifier(strict, keys).verify(token().expiresAt(NOW.minusSeconds(1)).sign()))
        .isInstanceOf(UnauthenticatedException.class);
  }

  @Test
  void expiredAndForged_isInvalidNotExpired() {
    String forged =
        token()
            .expiresAt(NOW.minusSeconds(3600))
            .signWith(signer(TestTokens.generate().signingKey()));

    assertThat(rejected(forged).reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
  }

  @Test
  void notBeforeBeyondSkew_isInvalid() {
    assertInvalid(token().notBefore(NOW.plusSeconds(61)).sign(), "not yet valid");
  }

  // ---- algorithms ----

  @Test
  void unsecuredJwt_algNone_isInvalid_withoutKeyLookup() {
    assertInvalid(token().unsecured(), "not a compact JWS");
    assertThat(keys.lookups()).isZero();
  }

  @Test
  void algNoneHeader_onAValidSignature_isInvalid() {
    String[] parts = token().sign().split("\\.");
    String none =
        base64Url("{\"alg\":\"none\",\"kid\":\"" + tokens.kid() + "\",\"typ\":\"at+jwt\"}");

    assertInvalid(none + "." + parts[1] + "." + parts[2], "not a compact JWS");
    assertInvalid(none + "." + parts[1] + ".", "not a compact JWS");
  }

  @Test
  void hs256_signedWithThePublicKeyBytes_isInvalid_withoutKeyLookup() throws Exception {
    byte[] spki = tokens.publicKey().toECPublicKey().getEncoded();
    byte[] jwkJson = tokens.publicKey().toJSONString().getBytes(StandardCharsets.UTF_8);

    assertInvalid(
        token().algorithm(JWSAlgorithm.HS256).signWith(new MACSigner(spki)),
        "algorithm not allowed");
    assertInvalid(
        token().algorithm(JWSAlgorithm.HS256).signWith(new MACSigner(jwkJson)),
        "algorithm not allowed");
    assertThat(keys.lookups()).isZero();
  }

  @Test
  void algorithmOutsideAllowList_isInvalid_beforeAnyKeyLookup() throws Exception {
    ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID(tokens.kid()).generate();
    RSAKey rsa = new RSAKeyGenerator(2048).keyID(tokens.kid()).generate();

    assertInvalid(
        token().algorithm(JWSAlgorithm.ES384).signWith(new ECDSASigner(p384)),
        "algorithm not allowed");
    assertInvalid(
        token().algorithm(JWSAlgorithm.RS256).signWith(new RSASSASigner(rsa)),
        "algorithm not allowed");
    assertThat(keys.lookups()).isZero();
  }

  @Test
  void allowedAlgorithm_thatDiffersFromTheKeysCurve_isInvalid() throws Exception {
    AuthConfig both =
        new AuthConfig(
            "lattice-identity",
            "lattice",
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384),
            Duration.ofSeconds(60));
    ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID(tokens.kid()).generate();

    assertThatThrownBy(
            () ->
                verifier(both, keys)
                    .verify(token().algorithm(JWSAlgorithm.ES384).signWith(new ECDSASigner(p384))))
        .isInstanceOf(UnauthenticatedException.class);
  }

  @Test
  void keyOfAnotherType_isInvalid() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID(tokens.kid()).generate();
    TokenVerifier withRsaKey = verifier(AuthConfig.defaults(), StaticKeySource.of(rsa));

    assertThatThrownBy(() -> withRsaKey.verify(token().sign()))
        .isInstanceOf(UnauthenticatedException.class);
  }

  // ---- keys and signatures ----

  @Test
  void unknownKid_isInvalid() {
    assertInvalid(token().keyId("someone-elses-key").sign(), "unknown kid");
    assertThat(keys.lookups()).isEqualTo(1);
  }

  @Test
  void missingKid_isInvalid() {
    assertInvalid(token().keyId(null).sign(), "no kid");
  }

  @Test
  void signatureOfAnotherKey_withOurKid_isInvalid() {
    assertInvalid(
        token().signWith(signer(TestTokens.generate(tokens.kid()).signingKey())), "bad signature");
  }

  @Test
  void embeddedJwkHeader_isIgnored() {
    ECKey attacker = TestTokens.generate(tokens.kid()).signingKey();

    assertInvalid(token().embeddedKey(attacker).signWith(signer(attacker)), "bad signature");
  }

  @Test
  void tamperedPayload_isInvalid() {
    String[] parts = token().sign().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String elevated = payload.replace("\"permissions\":[]", "\"permissions\":[\"orders.manage\"]");
    assertThat(elevated).isNotEqualTo(payload);

    assertInvalid(parts[0] + "." + base64Url(elevated) + "." + parts[2], "bad signature");
  }

  @Test
  void strippedOrTruncatedSignature_isInvalid() {
    String jwt = token().sign();
    String withoutSignature = jwt.substring(0, jwt.lastIndexOf('.') + 1);

    assertInvalid(withoutSignature, "not a compact JWS");
    assertInvalid(jwt.substring(0, jwt.length() - 4), "signature");
  }

  @Test
  void unknownCriticalHeader_isInvalid() {
    assertInvalid(
        token().critical("lattice-extra").headerParam("lattice-extra", "x").sign(),
        "bad signature");
  }

  // ---- header type ----

  @Test
  void missingOrWrongTyp_isInvalid() {
    assertInvalid(token().type(null).sign(), "typ");
    assertInvalid(token().type("JWT").sign(), "typ");
    assertInvalid(token().type("application/jwt").sign(), "typ");
  }

  // ---- claims ----

  @Test
  void wrongIssuer_isInvalid() {
    assertInvalid(token().issuer("evil-identity").sign(), "wrong issuer");
    assertInvalid(token().without("iss").sign(), "wrong issuer");
  }

  @Test
  void wrongAudience_isInvalid() {
    assertInvalid(token().audience("payments-provider").sign(), "wrong audience");
    assertInvalid(token().without("aud").sign(), "wrong audience");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sub", "tenant_id", "exp", "jti"})
  void missingRequiredClaim_isInvalid(String claim) {
    assertInvalid(token().without(claim).sign(), claim);
  }

  @Test
  void subjectOrTenantNotAUuid_isInvalid() {
    assertInvalid(token().subject("alice").sign(), "sub is not a UUID");
    assertInvalid(token().tenantId("42").sign(), "tenant_id is not a UUID");
    assertInvalid(token().claim("tenant_id", 42).sign(), "tenant_id is not a UUID");
  }

  @Test
  void blankJti_isInvalid() {
    assertInvalid(token().claim("jti", " ").sign(), "no jti");
  }

  @Test
  void permissionsNotAStringArray_isInvalid() {
    assertInvalid(token().claim("permissions", List.of(1, 2)).sign(), "permissions");
    assertInvalid(
        token().claim("permissions", Arrays.asList("orders.read", null)).sign(), "permissions");
    assertInvalid(token().claim("roles", 7).sign(), "roles");
  }

  @Test
  void expirationNotANumber_isInvalid() {
    assertInvalid(token().claim("exp", "tomorrow").sign(), "claims");
  }

  // ---- shape and size ----

  @Test
  void jweToken_isInvalid() throws JOSEException {
    EncryptedJWT jwe =
        new EncryptedJWT(
            new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
                .keyID(tokens.kid())
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            token().claims());
    jwe.encrypt(new ECDHEncrypter(tokens.publicKey()));

    assertInvalid(jwe.serialize(), "not a compact JWS");
  }

  @Test
  void oversizedToken_isInvalid_evenIfWellSigned() {
    String jwt = token().claim("pad", "x".repeat(6_500)).sign();

    assertThat(jwt.length()).isGreaterThan(TokenVerifier.MAX_TOKEN_CHARS);
    assertInvalid(jwt, "longer than");
    assertThat(keys.lookups()).isZero();
  }

  @Test
  void opaqueRefreshToken_isInvalid() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);

    assertInvalid(
        Base64.getUrlEncoder().withoutPadding().encodeToString(random), "not a compact JWS");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "a.b.c", "..", "e30.e30.", "e30.e30.e30", "Bearer x.y.z"})
  void garbage_isInvalid(String garbage) {
    assertInvalid(garbage);
  }

  @Test
  void nullToken_isInvalid() {
    assertInvalid(null);
  }

  @Test
  void hostileJsonInHeader_isInvalid() {
    String nested = "{\"alg\":\"ES256\",\"x\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}";

    assertInvalid(base64Url(nested) + ".e30.AAAA", "");
    assertInvalid(base64Url("{\"alg\":\"ES256\",") + ".e30.AAAA", "");
  }

  // ---- what a caller learns ----

  @Test
  void everyInvalidToken_sharesOneReasonAndMessage_detailStaysInTheCause() {
    List<String> bad =
        List.of(
            token().issuer("x").sign(),
            token().keyId("nope").sign(),
            token().type("JWT").sign(),
            "garbage");

    for (String jwt : bad) {
      UnauthenticatedException e = rejected(jwt);
      assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
      assertThat(e.getMessage()).isEqualTo("invalid access token");
      assertThat(e.metadata()).isEmpty();
      assertThat(e.getCause()).isNotNull();
    }
  }

  @Test
  void unavailableKeys_propagate() {
    KeySource down =
        kid -> {
          throw new UnavailableException(
              AuthErrors.KEYS_UNAVAILABLE, "down", Duration.ofSeconds(1));
        };

    assertThatThrownBy(() -> verifier(AuthConfig.defaults(), down).verify(token().sign()))
        .isInstanceOf(UnavailableException.class);
  }

  private UnauthenticatedException rejected(String jwt) {
    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(jwt));
    assertThat(e).as("token must be refused").isNotNull();
    return e;
  }

  private void assertInvalid(String jwt) {
    assertInvalid(jwt, "");
  }

  /** Refused as invalid, for the reason the server log would name (a fragment of it). */
  private void assertInvalid(String jwt, String why) {
    UnauthenticatedException e = rejected(jwt);
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
    assertThat(e.getCause()).hasMessageContaining(why);
  }

  private static ECDSASigner signer(ECKey key) {
    try {
      return new ECDSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Counts lookups, to prove which checks run before the key is looked up. */
  private static final class CountingKeys implements KeySource {

    private final KeySource delegate;
    private final AtomicInteger lookups = new AtomicInteger();

    CountingKeys(KeySource delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<JWK> find(String kid) {
      lookups.incrementAndGet();
      return delegate.find(kid);
    }

    int lookups() {
      return lookups.get();
    }
  }
}
