package dev.lattice.platform.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.errors.UnavailableException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies Lattice access tokens (RFC 9068 JWTs that identity signs) and turns them into a {@link
 * Principal}.
 *
 * <p>A token is accepted only if all of this holds, checked in this order: at most {@value
 * #MAX_TOKEN_CHARS} characters; a compact JWS (not a JWE, not an unsecured JWT); header {@code alg}
 * in the allow-list (checked before any key is looked up), {@code typ} {@value #ACCESS_TOKEN_TYPE}
 * (any case) and a {@code kid}; the {@link KeySource} knows the {@code kid} as an EC signing key
 * for that algorithm; the signature verifies; {@code iss} is the configured issuer; {@code aud}
 * contains the configured audience; {@code sub} and {@code tenant_id} are UUIDs; {@code jti} is
 * present; {@code nbf}, if present, is not later than now plus the skew; {@code exp} is present and
 * not earlier than now minus the skew. {@code roles} and {@code permissions}, if present, must be
 * string arrays. Keys embedded in the header ({@code jwk}, {@code jku}, {@code x5u}, …) are never
 * used.
 *
 * <p>Failures are {@link UnauthenticatedException}s with reason {@link AuthErrors#TOKEN_EXPIRED}
 * for a token that is only expired, {@link AuthErrors#TOKEN_INVALID} otherwise, and a fixed
 * message; the detail is in the cause, for the server log only.
 *
 * <p>A token verified once is remembered by its exact text (at most {@value #CACHE_SIZE} tokens,
 * each for at most {@link #CACHE_TTL}), so a caller's next calls skip the parsing and the ES256
 * verification, which cost more than the rest of a read. What can change while a token is
 * remembered is checked again on every use: its expiry against the clock, the revocation of its
 * subject, and that the key source still holds the same key for its {@code kid} (a removed or
 * replaced key sends the token through the full check again). Only tokens that passed every check
 * are remembered, so refused input cannot fill the cache. Thread-safe.
 */
public final class TokenVerifier {

  /** The longest token accepted, in characters (8 KiB). */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;

  /** The required {@code typ} header (RFC 9068). */
  public static final String ACCESS_TOKEN_TYPE = "at+jwt";

  /** The claim holding the caller's tenant id. */
  public static final String TENANT_ID_CLAIM = "tenant_id";

  /** The claim holding the caller's role names. */
  public static final String ROLES_CLAIM = "roles";

  /** The claim holding the caller's permissions. */
  public static final String PERMISSIONS_CLAIM = "permissions";

  /** The most verified tokens remembered at once. */
  public static final int CACHE_SIZE = 10_000;

  /** How long a verified token is remembered after it was first verified. */
  public static final Duration CACHE_TTL = Duration.ofMinutes(5);

  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final AuthConfig config;
  private final KeySource keys;
  private final RevokedSubjects revoked;
  private final Clock clock;
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(CACHE_TTL).build();

  /**
   * A token that passed every check: what it said, the key it was verified with and its id, when it
   * was issued.
   */
  private record Verified(Principal principal, String keyId, JWK key, Instant issuedAt) {}

  /**
   * A verifier.
   *
   * @param config what to accept
   * @param keys where the verification keys come from
   * @param clock the time {@code exp} and {@code nbf} are compared with
   */
  public TokenVerifier(AuthConfig config, KeySource keys, Clock clock) {
    this(config, keys, RevokedSubjects.none(clock), clock);
  }

  /**
   * A verifier that also refuses tokens of subjects revoked after the token was issued (deleted
   * users).
   *
   * @param revoked the revocations identity published
   */
  public TokenVerifier(AuthConfig config, KeySource keys, RevokedSubjects revoked, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Verifies {@code compactJwt} as described on the class.
   *
   * @param compactJwt the token as sent after {@code Bearer }; untrusted input
   * @return the caller the token names
   * @throws UnauthenticatedException if the token is refused
   * @throws UnavailableException if the key source cannot tell whether the key exists right now
   */
  public Principal verify(String compactJwt) {
    if (compactJwt == null || compactJwt.isEmpty()) {
      throw AuthErrors.invalid("empty token");
    }
    if (compactJwt.length() > MAX_TOKEN_CHARS) {
      throw AuthErrors.invalid("token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    Verified known = verified.getIfPresent(compactJwt);
    if (known != null && known.key().equals(keys.find(known.keyId()).orElse(null))) {
      return stillValid(known);
    }
    SignedJWT jwt = parse(compactJwt);
    JWSHeader header = jwt.getHeader();
    checkHeader(header);
    ECKey key = verificationKey(header);
    checkSignature(jwt, key);
    JWTClaimsSet claims = claims(jwt);
    Principal principal = principal(claims);
    Date issuedAt = claims.getIssueTime();
    verified.put(
        compactJwt,
        new Verified(
            principal, header.getKeyID(), key, issuedAt == null ? null : issuedAt.toInstant()));
    return principal;
  }

  /** How many verified tokens are remembered now (for tests). */
  long rememberedTokens() {
    verified.cleanUp();
    return verified.estimatedSize();
  }

  /** A remembered token's checks that depend on time and revocations, as {@link #principal}. */
  private Principal stillValid(Verified known) {
    Principal principal = known.principal();
    if (principal.expiresAt().isBefore(clock.instant().minus(config.clockSkew()))) {
      throw AuthErrors.expired();
    }
    if (known.issuedAt() != null && revoked.isRevoked(principal.subject(), known.issuedAt())) {
      throw AuthErrors.invalid("subject revoked");
    }
    return principal;
  }

  private static SignedJWT parse(String compactJwt) {
    try {
      return SignedJWT.parse(compactJwt);
    } catch (ParseException e) {
      throw AuthErrors.invalid("not a compact JWS", e);
    } catch (RuntimeException e) {
      // The JSON parser's own failures on hostile input are an unreadable token, not a bug here.
      throw AuthErrors.invalid("unparseable header", e);
    }
  }

  private void checkHeader(JWSHeader header) {
    if (!config.allowedAlgorithms().contains(header.getAlgorithm())) {
      throw AuthErrors.invalid("algorithm not allowed");
    }
    JOSEObjectType type = header.getType();
    if (type == null || !ACCESS_TOKEN_TYPE.equalsIgnoreCase(type.getType())) {
      throw AuthErrors.invalid("typ is not " + ACCESS_TOKEN_TYPE);
    }
    if (header.getKeyID() == null || header.getKeyID().isBlank()) {
      throw AuthErrors.invalid("no kid");
    }
  }

  private ECKey verificationKey(JWSHeader header) {
    JWK jwk = keys.find(header.getKeyID()).orElseThrow(() -> AuthErrors.invalid("unknown kid"));
    if (!(jwk instanceof ECKey ec)) {
      throw AuthErrors.invalid("key is not an EC key");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw AuthErrors.invalid("key is not a signing key");
    }
    JWSAlgorithm alg = header.getAlgorithm();
    if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg.getName())) {
      throw AuthErrors.invalid("key is for another algorithm");
    }
    return ec;
  }

  private static void checkSignature(SignedJWT jwt, ECKey key) {
    boolean valid;
    try {
      // The verifier supports only the algorithm of the key's curve and rejects unknown crit.
      valid = jwt.verify(new ECDSAVerifier(key.toPublicJWK()));
    } catch (JOSEException e) {
      throw AuthErrors.invalid("signature not verifiable with the key", e);
    }
    if (!valid) {
      throw AuthErrors.invalid("bad signature");
    }
  }

  private static JWTClaimsSet claims(SignedJWT jwt) {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw AuthErrors.invalid("claims are not a JSON object", e);
    } catch (RuntimeException e) {
      throw AuthErrors.invalid("unparseable claims", e);
    }
  }

  private Principal principal(JWTClaimsSet claims) {
    if (!config.issuer().equals(claims.getIssuer())) {
      throw AuthErrors.invalid("wrong issuer");
    }
    List<String> audience = claims.getAudience();
    if (audience == null || !audience.contains(config.audience())) {
      throw AuthErrors.invalid("wrong audience");
    }
    String subject = uuidClaim(claims, "sub");
    String tenantId = uuidClaim(claims, TENANT_ID_CLAIM);
    String tokenId = claims.getJWTID();
    if (tokenId == null || tokenId.isBlank()) {
      throw AuthErrors.invalid("no jti");
    }
    Set<String> roles = stringSet(claims, ROLES_CLAIM);
    Set<String> permissions = stringSet(claims, PERMISSIONS_CLAIM);
    Date expiration = claims.getExpirationTime();
    if (expiration == null) {
      throw AuthErrors.invalid("no exp");
    }
    Instant now = clock.instant();
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && notBefore.toInstant().isAfter(now.plus(config.clockSkew()))) {
      throw AuthErrors.invalid("not yet valid");
    }
    Instant expiresAt = expiration.toInstant();
    if (expiresAt.isBefore(now.minus(config.clockSkew()))) {
      throw AuthErrors.expired();
    }
    Date issuedAt = claims.getIssueTime();
    if (issuedAt != null && revoked.isRevoked(subject, issuedAt.toInstant())) {
      throw AuthErrors.invalid("subject revoked");
    }
    Object sid = claims.getClaim("sid");
    Optional<String> sessionId =
        sid instanceof String text && UUID.matcher(text).matches()
            ? Optional.of(text)
            : Optional.empty();
    return new Principal(subject, tenantId, roles, permissions, tokenId, expiresAt, sessionId);
  }

  private static String uuidClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    if (!(value instanceof String text) || !UUID.matcher(text).matches()) {
      throw AuthErrors.invalid(name + " is not a UUID");
    }
    return text;
  }

  private static Set<String> stringSet(JWTClaimsSet claims, String name) {
    List<String> values;
    try {
      values = claims.getStringListClaim(name);
    } catch (ParseException e) {
      throw AuthErrors.invalid(name + " is not a string array", e);
    }
    if (values == null) {
      return Set.of();
    }
    if (values.contains(null)) {
      throw AuthErrors.invalid(name + " holds null");
    }
    return Set.copyOf(values);
  }
}
