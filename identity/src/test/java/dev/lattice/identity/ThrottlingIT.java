package dev.lattice.identity;

import static dev.lattice.identity.IdentityHarness.code;
import static dev.lattice.identity.IdentityHarness.detail;
import static dev.lattice.identity.IdentityHarness.failure;
import static dev.lattice.identity.IdentityHarness.reason;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.ResendVerificationRequest;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rate limits of the public flows, with the default limits. */
class ThrottlingIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final String PASSWORD = "a long passphrase 1234";

  static IdentityHarness identity;
  static Mailbox mailbox;

  @BeforeAll
  static void start() throws Exception {
    mailbox = Mailbox.open(nats.url());
    identity = IdentityHarness.start(postgres, nats, Map.of());
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

  @Test
  void failedLoginsFromOneAddressDoNotLockTheOwnerOutElsewhere() {
    String email = "victim@th.test";
    identity.registerVerified(mailbox, email, PASSWORD);

    for (int i = 0; i < 10; i++) {
      String guess = "guessing wrong " + i;
      StatusRuntimeException e = failure(() -> identity.stub().login(login(email, guess)));
      assertThat(code(e)).as("attempt %d", i + 1).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(reason(e)).isEqualTo("INVALID_CREDENTIALS");
    }

    StatusRuntimeException blocked = failure(() -> identity.stub().login(login(email, PASSWORD)));
    assertThat(code(blocked)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(reason(blocked)).isEqualTo("RATE_LIMITED");
    assertThat(detail(blocked, RetryInfo.class))
        .get()
        .satisfies(retry -> assertThat(retry.getRetryDelay().getSeconds()).isBetween(1L, 600L));

    IdentityServiceBlockingStub elsewhere =
        IdentityServiceGrpc.newBlockingStub(identity.channel("127.0.0.2"))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThat(elsewhere.login(login(email, PASSWORD)).getUser().getEmail()).isEqualTo(email);

    // The owner's success elsewhere does not lift the block on the attacker's address.
    assertThat(code(failure(() -> identity.stub().login(login(email, PASSWORD)))))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void resendVerificationSendsOneMessagePerAddressAMinuteKnownOrNot() {
    identity.register("pending@th.test", PASSWORD);

    StatusRuntimeException known = secondResendIsRefused("pending@th.test");
    StatusRuntimeException unknown = secondResendIsRefused("stranger@th.test");

    assertThat(code(unknown)).isEqualTo(code(known));
    assertThat(reason(unknown)).isEqualTo(reason(known));
    assertThat(unknown.getStatus().getDescription()).isEqualTo(known.getStatus().getDescription());
    assertThat(detail(unknown, ErrorInfo.class).orElseThrow().getMetadataMap().keySet())
        .isEqualTo(detail(known, ErrorInfo.class).orElseThrow().getMetadataMap().keySet());
  }

  private static StatusRuntimeException secondResendIsRefused(String email) {
    ResendVerificationRequest request =
        ResendVerificationRequest.newBuilder().setTenantSlug("platform").setEmail(email).build();
    identity.stub().resendVerification(request);

    StatusRuntimeException e = failure(() -> identity.stub().resendVerification(request));
    assertThat(code(e)).as(email).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(reason(e)).isEqualTo("RATE_LIMITED");
    assertThat(detail(e, RetryInfo.class))
        .get()
        .satisfies(retry -> assertThat(retry.getRetryDelay().getSeconds()).isBetween(1L, 60L));
    return e;
  }
}
