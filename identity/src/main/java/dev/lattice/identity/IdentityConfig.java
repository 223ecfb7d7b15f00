package dev.lattice.identity;

import dev.lattice.identity.throttle.ThrottleLimits;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.Optional;

/**
 * Identity's settings. Token lifetimes follow issue #4 and docs/architecture.md §9; everything has
 * a default except the key-encryption key, which must come from the environment.
 *
 * @param issuer the {@code iss} of access tokens ({@code LATTICE_AUTH_ISSUER})
 * @param audience the {@code aud} of access tokens ({@code LATTICE_AUTH_AUDIENCE})
 * @param kekBase64 the key-encryption key of signing keys ({@code LATTICE_IDENTITY_KEK})
 * @param accessTokenTtl access token lifetime (15 min)
 * @param refreshTokenTtl refresh token absolute lifetime (30 days)
 * @param refreshTokenIdle refresh token idle lifetime (7 days)
 * @param verificationTtl email verification token lifetime (24 h)
 * @param resetTtl password reset token lifetime (30 min)
 * @param accountSetupTtl account setup token lifetime (7 days)
 * @param keyActivationDelay how long a rotated key is published before it signs (5 min, the JWKS
 *     cache lifetime of verifiers; {@code LATTICE_IDENTITY_KEY_ACTIVATION_DELAY})
 * @param hashConcurrency Argon2id hashes computed at once ({@code
 *     LATTICE_IDENTITY_HASH_CONCURRENCY}, default the number of cores)
 * @param throttles limits of the public flows
 * @param bootstrap the platform tenant's first administrator, when configured
 */
public record IdentityConfig(
    String issuer,
    String audience,
    String kekBase64,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    Duration refreshTokenIdle,
    Duration verificationTtl,
    Duration resetTtl,
    Duration accountSetupTtl,
    Duration keyActivationDelay,
    int hashConcurrency,
    ThrottleLimits throttles,
    Optional<Bootstrap> bootstrap) {

  /** Default {@code iss}; the platform's verifier uses the same default. */
  public static final String DEFAULT_ISSUER = "lattice-identity";

  /** Default {@code aud}. */
  public static final String DEFAULT_AUDIENCE = "lattice";

  /**
   * The platform administrator created on first start (tenant slug {@code platform}).
   *
   * @param email the administrator's email ({@code LATTICE_IDENTITY_BOOTSTRAP_EMAIL})
   * @param password the initial password ({@code LATTICE_IDENTITY_BOOTSTRAP_PASSWORD})
   */
  public record Bootstrap(String email, String password) {
    @Override
    public String toString() {
      return "Bootstrap[email=" + email + ", password=<redacted>]";
    }
  }

  /** Reads the settings. */
  public static IdentityConfig fromEnv(Env env) {
    String kek =
        env.optional("LATTICE_IDENTITY_KEK")
            .orElseThrow(
                () ->
                    new ConfigException(
                        "LATTICE_IDENTITY_KEK is required: 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"));
    Optional<Bootstrap> bootstrap =
        env.optional("LATTICE_IDENTITY_BOOTSTRAP_EMAIL")
            .map(
                email ->
                    new Bootstrap(
                        email, env.requiredString("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD")));
    return new IdentityConfig(
        env.string("LATTICE_AUTH_ISSUER", DEFAULT_ISSUER),
        env.string("LATTICE_AUTH_AUDIENCE", DEFAULT_AUDIENCE),
        kek,
        Duration.ofMinutes(15),
        Duration.ofDays(30),
        Duration.ofDays(7),
        Duration.ofHours(24),
        Duration.ofMinutes(30),
        Duration.ofDays(7),
        env.duration("LATTICE_IDENTITY_KEY_ACTIVATION_DELAY", Duration.ofMinutes(5)),
        env.integer(
            "LATTICE_IDENTITY_HASH_CONCURRENCY",
            Runtime.getRuntime().availableProcessors(),
            1,
            256),
        ThrottleLimits.fromEnv(env),
        bootstrap);
  }

  @Override
  public String toString() {
    return "IdentityConfig[issuer="
        + issuer
        + ", audience="
        + audience
        + ", kek=<redacted>, bootstrap="
        + bootstrap
        + "]";
  }
}
