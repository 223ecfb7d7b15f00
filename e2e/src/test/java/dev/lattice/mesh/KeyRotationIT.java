package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.v1.RotateSigningKeyRequest;
import dev.lattice.identity.v1.RotateSigningKeyResponse;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RotateSigningKey under load: callers keep signing in and calling orders with old and new tokens;
 * old tokens keep working, new tokens carry the new kid once it activates, and no call is refused.
 * The activation delay is 6 s here, just over a verifier's 5 s refetch interval for unknown kids (5
 * min in production, the JWKS cache lifetime).
 */
class KeyRotationIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static AuthFleet fleet;

  @BeforeAll
  static void start() throws Exception {
    fleet = new AuthFleet(postgres, nats, Map.of("LATTICE_IDENTITY_KEY_ACTIVATION_DELAY", "6s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void oldTokensKeepWorking_newTokensCarryTheNewKid_andNoCallFails() throws Exception {
    String oldToken = fleet.loginAdmin().getAccessToken();
    String oldKid = kid(oldToken);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<String> kidsSeen = new CopyOnWriteArrayList<>();
    Thread load =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (running.get()) {
                    String fresh = fleet.loginAdmin().getAccessToken();
                    kidsSeen.add(kid(fresh));
                    for (String token : List.of(oldToken, fresh)) {
                      Status.Code code = fleet.getOrderWith(token);
                      calls.incrementAndGet();
                      if (code == Status.Code.UNAUTHENTICATED
                          || code == Status.Code.PERMISSION_DENIED
                          || code == Status.Code.UNAVAILABLE) {
                        failures.add(code + " with kid " + kid(token));
                      }
                    }
                  }
                });
    Thread.sleep(500);
    RotateSigningKeyResponse rotation =
        fleet
            .identity()
            .withCallCredentials(BearerToken.of(oldToken))
            .rotateSigningKey(RotateSigningKeyRequest.getDefaultInstance());
    assertThat(rotation.getPreviousKid()).isEqualTo(oldKid);
    assertThat(rotation.getKey().getKid()).isNotEqualTo(oldKid);
    Instant activation = Instant.ofEpochSecond(rotation.getActivateTime().getSeconds());
    while (Instant.now().isBefore(activation.plusSeconds(3))) {
      Thread.sleep(100);
    }
    running.set(false);
    load.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(failures).isEmpty();
    assertThat(calls.get()).isGreaterThan(20);
    assertThat(kidsSeen).contains(oldKid, rotation.getKey().getKid());
    assertThat(kid(fleet.loginAdmin().getAccessToken())).isEqualTo(rotation.getKey().getKid());
    assertThat(fleet.getOrderWith(oldToken)).isNotEqualTo(Status.Code.UNAUTHENTICATED);
    System.out.printf(
        "key rotation: %d calls, 0 refused; kids seen %s%n",
        calls.get(), kidsSeen.stream().distinct().toList());
  }

  private static String kid(String token) {
    try {
      return SignedJWT.parse(token).getHeader().getKeyID();
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }
}
