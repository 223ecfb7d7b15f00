package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.JWK;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.testsupport.MutableClock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The verifier's memory of tokens it verified: a remembered token is still refused once it expires,
 * once its subject is revoked, and once its key is removed or replaced; refused tokens are never
 * remembered.
 */
class VerifiedTokenCacheTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private final TestTokens tokens = TestTokens.generate();
  private final AtomicReference<Optional<JWK>> key =
      new AtomicReference<>(Optional.of(tokens.publicKey()));
  private final AtomicInteger lookups = new AtomicInteger();
  private final KeySource keys =
      kid -> {
        lookups.incrementAndGet();
        return tokens.kid().equals(kid) ? key.get() : Optional.empty();
      };
  private final MutableClock clock = new MutableClock(NOW);
  private final RevokedSubjects revoked = RevokedSubjects.none(clock);
  private final TokenVerifier verifier =
      new TokenVerifier(AuthConfig.defaults(), keys, revoked, clock);

  @Test
  void aVerifiedToken_isRemembered_andAnswersTheSamePrincipal() {
    String jwt = tokens.token(NOW).permissions("orders.read").sign();

    Principal first = verifier.verify(jwt);
    Principal second = verifier.verify(jwt);

    assertThat(second).isEqualTo(first);
    assertThat(verifier.rememberedTokens()).isEqualTo(1);
    assertThat(lookups.get()).as("the key is looked up on every use").isEqualTo(2);
  }

  @Test
  void refusedTokens_areNeverRemembered() {
    String forged = tokens.token(NOW).sign();
    String tampered = forged.substring(0, forged.lastIndexOf('.') + 1) + "AAAA";

    for (int i = 0; i < 3; i++) {
      catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(tampered));
    }
    catchThrowableOfType(
        UnauthenticatedException.class,
        () -> verifier.verify(tokens.token(NOW).issuer("x").sign()));

    assertThat(verifier.rememberedTokens()).isZero();
  }

  @Test
  void aRememberedToken_expires() {
    String jwt = tokens.token(NOW).sign();
    verifier.verify(jwt);

    clock.advance(TestTokens.LIFETIME.plus(AuthConfig.defaults().clockSkew()).plusSeconds(1));

    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(jwt));
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_EXPIRED);
  }

  @Test
  void aRememberedToken_ofASubjectRevokedLater_isRefused() {
    String subject = UUID.randomUUID().toString();
    String jwt = tokens.token(NOW).subject(subject).sign();
    verifier.verify(jwt);

    clock.advance(java.time.Duration.ofSeconds(10));
    revoked.revoke(subject, clock.instant());

    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(jwt));
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
  }

  @Test
  void aRememberedToken_whoseKeyIsRemoved_isRefused() {
    String jwt = tokens.token(NOW).sign();
    verifier.verify(jwt);

    key.set(Optional.empty());

    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(jwt));
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
  }

  @Test
  void aRememberedToken_whoseKidNowNamesAnotherKey_isCheckedAgainstIt_andRefused() {
    String jwt = tokens.token(NOW).sign();
    verifier.verify(jwt);

    key.set(Optional.of(TestTokens.generate(tokens.kid()).publicKey()));

    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, () -> verifier.verify(jwt));
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_INVALID);
  }
}
