package dev.lattice.identity;

import static dev.lattice.identity.IdentityHarness.failure;
import static dev.lattice.identity.IdentityHarness.rpcStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.RequestPasswordResetRequest;
import dev.lattice.identity.v1.RequestPasswordResetResponse;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The security suite's enumeration checks: Login and RequestPasswordReset answer known and unknown
 * addresses alike, in content and in timing.
 */
class EnumerationIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final String PASSWORD = "a long passphrase 1234";
  static final String KNOWN = "known@e.test";
  static final String UNKNOWN = "nobody@e.test";
  static final int WARM_UP = 20;
  static final int SAMPLES = 100;
  static final int MAX_ROUNDS = 3;
  static final double MAX_MEDIAN_DIFFERENCE_MS = 5.0;

  static IdentityHarness identity;
  static Mailbox mailbox;

  @BeforeAll
  static void start() throws Exception {
    mailbox = Mailbox.open(nats.url());
    identity =
        IdentityHarness.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_IDENTITY_THROTTLE_LOGIN_ACCOUNT_ADDRESS", "1000000/10m",
                "LATTICE_IDENTITY_THROTTLE_LOGIN_ADDRESS", "1000000/10m",
                "LATTICE_IDENTITY_THROTTLE_REQUEST_PASSWORD_RESET_ACCOUNT", "1000000/10m",
                "LATTICE_IDENTITY_THROTTLE_REQUEST_PASSWORD_RESET_ADDRESS", "1000000/10m"));
    identity.registerVerified(mailbox, KNOWN, PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    identity.close();
    mailbox.close();
  }

  private static LoginRequest login(String email, String password) {
    return LoginRequest.newBuilder()
        .setTenantSlug("platform")
        .setEmail(email)
        .setPassword(password)
        .build();
  }

  private static RequestPasswordResetRequest reset(String email) {
    return RequestPasswordResetRequest.newBuilder()
        .setTenantSlug("platform")
        .setEmail(email)
        .build();
  }

  @Test
  void loginFailsAlikeForUnknownEmailAndWrongPassword() {
    StatusRuntimeException unknown = failure(() -> identity.stub().login(login(UNKNOWN, PASSWORD)));
    StatusRuntimeException wrong =
        failure(() -> identity.stub().login(login(KNOWN, "not the password 1")));

    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getStatus().getCode()).isEqualTo(unknown.getStatus().getCode());
    assertThat(IdentityHarness.reason(unknown)).isEqualTo("INVALID_CREDENTIALS");
    assertThat(IdentityHarness.reason(wrong)).isEqualTo(IdentityHarness.reason(unknown));
    assertThat(wrong.getStatus().getDescription()).isEqualTo(unknown.getStatus().getDescription());
    assertThat(rpcStatus(wrong).toByteArray()).isEqualTo(rpcStatus(unknown).toByteArray());
    assertThat(wrong.getTrailers().keys()).isEqualTo(unknown.getTrailers().keys());
  }

  @Test
  void passwordResetAnswersAlikeForKnownAndUnknownEmail() {
    RequestPasswordResetResponse known = identity.stub().requestPasswordReset(reset(KNOWN));
    RequestPasswordResetResponse unknown = identity.stub().requestPasswordReset(reset(UNKNOWN));

    assertThat(known.toByteArray()).isEqualTo(unknown.toByteArray()).isEmpty();
    // The known address really got a message; the answers above do not tell.
    assertThat(mailbox.resetRequest(KNOWN).getToken()).isNotEmpty();
  }

  @Test
  void loginTakesAsLongForUnknownEmailAsForWrongPassword() {
    Runnable unknown =
        () -> failure(() -> identity.stub().login(login(UNKNOWN, "not the password 1")));
    Runnable wrong = () -> failure(() -> identity.stub().login(login(KNOWN, "not the password 1")));

    Timing timing = compare(unknown, wrong);

    System.out.println(timing.line("login", "unknown", "wrong-password"));
    assertThat(Math.abs(timing.medianOfPairDifferences()))
        .as(timing.line("login", "unknown", "wrong-password"))
        .isLessThan(MAX_MEDIAN_DIFFERENCE_MS);
  }

  @Test
  void passwordResetTakesAsLongForKnownAsForUnknownEmail() {
    Runnable known = () -> identity.stub().requestPasswordReset(reset(KNOWN));
    Runnable unknown = () -> identity.stub().requestPasswordReset(reset(UNKNOWN));

    Timing timing = compare(known, unknown);

    System.out.println(timing.line("reset", "known", "unknown"));
    assertThat(Math.abs(timing.medianOfPairDifferences()))
        .as(timing.line("reset", "known", "unknown"))
        .isLessThan(MAX_MEDIAN_DIFFERENCE_MS);
  }

  /**
   * Medians of two interleaved series, in milliseconds, and the median of their pairwise
   * differences (each pair measured back to back), which the checks use: a pair shares the
   * machine's load of its moment, so load drifts cancel where the two medians would carry them.
   */
  private record Timing(double medianA, double medianB, double medianOfPairDifferences, int pairs) {
    double medianDifference() {
      return medianA - medianB;
    }

    String line(String what, String a, String b) {
      return String.format(
          Locale.ROOT,
          "TIMING %s %s=%.2fms %s=%.2fms diff=%.2fms (median of %d paired differences %.2fms)",
          what,
          a,
          medianA,
          b,
          medianB,
          medianDifference(),
          pairs,
          medianOfPairDifferences);
    }
  }

  /**
   * Warms both calls up, then times them in interleaved pairs: {@value #SAMPLES} pairs, and up to
   * {@value #MAX_ROUNDS} rounds of that many while the median paired difference is still at or over
   * the goal. More samples sharpen the estimate on a loaded machine; a real difference stays.
   */
  private static Timing compare(Runnable a, Runnable b) {
    for (int i = 0; i < WARM_UP; i++) {
      a.run();
      b.run();
    }
    int n = 0;
    long[] timesA = new long[SAMPLES * MAX_ROUNDS];
    long[] timesB = new long[SAMPLES * MAX_ROUNDS];
    Timing timing = null;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      for (int i = 0; i < SAMPLES; i++, n++) {
        // Alternate which goes first, so neither profits from the other's warm caches.
        if (n % 2 == 0) {
          timesA[n] = time(a);
          timesB[n] = time(b);
        } else {
          timesB[n] = time(b);
          timesA[n] = time(a);
        }
      }
      long[] a1 = Arrays.copyOf(timesA, n);
      long[] b1 = Arrays.copyOf(timesB, n);
      long[] differences = new long[n];
      for (int i = 0; i < n; i++) {
        differences[i] = a1[i] - b1[i];
      }
      timing = new Timing(median(a1), median(b1), median(differences), n);
      if (Math.abs(timing.medianOfPairDifferences()) < MAX_MEDIAN_DIFFERENCE_MS) {
        break;
      }
    }
    return timing;
  }

  private static long time(Runnable call) {
    long start = System.nanoTime();
    call.run();
    return System.nanoTime() - start;
  }

  private static double median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double middle = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    return middle / 1_000_000.0;
  }
}
