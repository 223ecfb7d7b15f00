package dev.lattice.platform.auth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link TokenVerifier} accepts.
 *
 * @param issuer the required {@code iss} claim
 * @param audience a value the {@code aud} claim must contain
 * @param allowedAlgorithms the {@code alg} headers accepted; a subset of ES256, ES384 and ES512
 *     (the verifier checks ECDSA signatures only; HMAC, RSA and {@code none} are never accepted)
 * @param clockSkew tolerance applied to {@code exp} and {@code nbf}; 0 to 60 s
 */
public record AuthConfig(
    String issuer, String audience, Set<JWSAlgorithm> allowedAlgorithms, Duration clockSkew) {

  /** The issuer when {@code LATTICE_AUTH_ISSUER} is not set. */
  public static final String DEFAULT_ISSUER = "lattice-identity";

  /** The audience when {@code LATTICE_AUTH_AUDIENCE} is not set. */
  public static final String DEFAULT_AUDIENCE = "lattice";

  /** The most clock skew ever tolerated, and the default. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

  /** The algorithms a configuration may allow. */
  public static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS =
      Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private static final Logger log = LoggerFactory.getLogger(AuthConfig.class);
  private static final Pattern WHOLE_SECONDS = Pattern.compile("\\d{1,9}");

  /**
   * Checks the configuration.
   *
   * @throws IllegalArgumentException for a blank issuer or audience, no or an unsupported
   *     algorithm, or a skew outside 0–60 s
   */
  public AuthConfig {
    if (Objects.requireNonNull(issuer, "issuer").isBlank()) {
      throw new IllegalArgumentException("issuer must not be blank");
    }
    if (Objects.requireNonNull(audience, "audience").isBlank()) {
      throw new IllegalArgumentException("audience must not be blank");
    }
    allowedAlgorithms = Set.copyOf(allowedAlgorithms);
    if (allowedAlgorithms.isEmpty() || !SUPPORTED_ALGORITHMS.containsAll(allowedAlgorithms)) {
      throw new IllegalArgumentException(
          "allowedAlgorithms must be a non-empty subset of ES256, ES384, ES512: "
              + allowedAlgorithms);
    }
    Objects.requireNonNull(clockSkew, "clockSkew");
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new IllegalArgumentException("clockSkew must be between 0 and 60 s: " + clockSkew);
    }
  }

  /**
   * Issuer {@value #DEFAULT_ISSUER}, audience {@value #DEFAULT_AUDIENCE}, ES256 only, 60 s skew.
   */
  public static AuthConfig defaults() {
    return new AuthConfig(
        DEFAULT_ISSUER, DEFAULT_AUDIENCE, Set.of(JWSAlgorithm.ES256), MAX_CLOCK_SKEW);
  }

  /**
   * Reads {@code LATTICE_AUTH_ISSUER}, {@code LATTICE_AUTH_AUDIENCE} and {@code
   * LATTICE_AUTH_CLOCK_SKEW} (whole seconds such as {@code 30}, or a duration such as {@code 30s}
   * or {@code PT30S}; values above 60 s are capped at 60 s). Only ES256 is allowed.
   *
   * @throws ConfigException for a malformed skew
   */
  public static AuthConfig fromEnv(Env env) {
    return new AuthConfig(
        env.string("LATTICE_AUTH_ISSUER", DEFAULT_ISSUER),
        env.string("LATTICE_AUTH_AUDIENCE", DEFAULT_AUDIENCE),
        Set.of(JWSAlgorithm.ES256),
        clockSkew(env));
  }

  private static Duration clockSkew(Env env) {
    String name = "LATTICE_AUTH_CLOCK_SKEW";
    Optional<String> raw = env.optional(name);
    Duration skew =
        raw.isPresent() && WHOLE_SECONDS.matcher(raw.get()).matches()
            ? Duration.ofSeconds(Long.parseLong(raw.get()))
            : env.duration(name, MAX_CLOCK_SKEW);
    if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
      log.warn("{}={} exceeds the maximum; using {}", name, raw.orElseThrow(), MAX_CLOCK_SKEW);
      return MAX_CLOCK_SKEW;
    }
    return skew;
  }
}
