package dev.lattice.identity;

import static dev.lattice.identity.IdentityHarness.code;
import static dev.lattice.identity.IdentityHarness.failure;
import static dev.lattice.identity.IdentityHarness.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.identity.v1.ChangePasswordRequest;
import dev.lattice.identity.v1.DeleteUserRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.LogoutRequest;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RefreshTokenResponse;
import dev.lattice.identity.v1.RequestPasswordResetRequest;
import dev.lattice.identity.v1.ResendVerificationRequest;
import dev.lattice.identity.v1.ResetPasswordRequest;
import dev.lattice.identity.v1.RestoreUserRequest;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserStatus;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One-time tokens (verification, reset), refresh-token rotation, sign-out, delete and restore. */
class TokensLifecycleIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final String PASSWORD = "a long passphrase 1234";
  static final String NEW_PASSWORD = "a brand new passphrase 5678";

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

  // --- one-time tokens -------------------------------------------------------------------------

  @Test
  void verificationTokenIsSingleUse() {
    identity.register("single@t.test", PASSWORD);
    String token = mailbox.verificationToken("single@t.test");

    assertThat(verify(token).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);

    assertFailed(() -> verify(token), Status.Code.FAILED_PRECONDITION, "TOKEN_INVALID");
  }

  @Test
  void resendVerificationSupersedesTheEarlierToken() {
    identity.register("resend@t.test", PASSWORD);
    String first = mailbox.verificationToken("resend@t.test");

    identity
        .stub()
        .resendVerification(
            ResendVerificationRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail("resend@t.test")
                .build());
    String second = mailbox.verificationTokenOtherThan("resend@t.test", first);

    assertFailed(() -> verify(first), Status.Code.FAILED_PRECONDITION, "TOKEN_INVALID");
    assertThat(verify(second).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
  }

  @Test
  void expiredVerificationTokenIsTokenExpired() {
    identity.register("expired-verify@t.test", PASSWORD);
    String token = mailbox.verificationToken("expired-verify@t.test");
    expireOpenToken("expired-verify@t.test", "VERIFY_EMAIL");

    assertFailed(() -> verify(token), Status.Code.FAILED_PRECONDITION, "TOKEN_EXPIRED");
  }

  @Test
  void expiredResetTokenIsTokenExpired() {
    identity.registerVerified(mailbox, "expired-reset@t.test", PASSWORD);
    requestReset("expired-reset@t.test");
    String token = mailbox.resetToken("expired-reset@t.test");
    expireOpenToken("expired-reset@t.test", "RESET_PASSWORD");

    assertFailed(
        () -> reset(token, NEW_PASSWORD), Status.Code.FAILED_PRECONDITION, "TOKEN_EXPIRED");
    assertThat(identity.login("expired-reset@t.test", PASSWORD).getAccessToken()).isNotEmpty();
  }

  @Test
  void passwordResetSetsThePasswordAndSignsOutEverywhere() {
    String email = "reset@t.test";
    identity.registerVerified(mailbox, email, PASSWORD);
    LoginResponse before = identity.login(email, PASSWORD);

    Instant asked = Instant.now();
    requestReset(email);
    PasswordResetRequested mail = mailbox.resetRequest(email);
    Instant expires =
        Instant.ofEpochSecond(mail.getExpireTime().getSeconds(), mail.getExpireTime().getNanos());
    assertThat(expires)
        .isBetween(
            asked.plus(Duration.ofMinutes(30)).minusSeconds(5),
            Instant.now().plus(Duration.ofMinutes(30)).plusSeconds(5));

    reset(mail.getToken(), NEW_PASSWORD);

    assertFailed(
        () -> identity.login(email, PASSWORD), Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
    assertThat(identity.login(email, NEW_PASSWORD).getAccessToken()).isNotEmpty();
    StatusRuntimeException refresh = failure(() -> refresh(before.getRefreshToken()));
    assertThat(code(refresh)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertFailed(
        () -> reset(mail.getToken(), "yet another passphrase 9"),
        Status.Code.FAILED_PRECONDITION,
        "TOKEN_INVALID");
    assertThat(identity.login(email, NEW_PASSWORD).getAccessToken()).isNotEmpty();
  }

  @Test
  void changePasswordKeepsTheCallersSessionAndRevokesTheOthers() {
    String email = "change@t.test";
    identity.registerVerified(mailbox, email, PASSWORD);
    LoginResponse mine = identity.login(email, PASSWORD);
    LoginResponse other = identity.login(email, PASSWORD);
    IdentityServiceBlockingStub me = identity.stub(mine.getAccessToken());

    assertFailed(
        () ->
            me.changePassword(
                ChangePasswordRequest.newBuilder()
                    .setCurrentPassword("not my password at all")
                    .setNewPassword(NEW_PASSWORD)
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "PASSWORD_INCORRECT");

    me.changePassword(
        ChangePasswordRequest.newBuilder()
            .setCurrentPassword(PASSWORD)
            .setNewPassword(NEW_PASSWORD)
            .build());

    assertThat(refresh(mine.getRefreshToken()).getRefreshToken()).isNotEmpty();
    assertThat(code(failure(() -> refresh(other.getRefreshToken()))))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertFailed(
        () -> identity.login(email, PASSWORD), Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
    assertThat(identity.login(email, NEW_PASSWORD).getAccessToken()).isNotEmpty();
  }

  // --- refresh tokens ---------------------------------------------------------------------------

  @Test
  void reusingARotatedRefreshTokenRevokesItsFamily() {
    identity.registerVerified(mailbox, "rotate@t.test", PASSWORD);
    String original = identity.login("rotate@t.test", PASSWORD).getRefreshToken();

    String rotated = refresh(original).getRefreshToken();
    assertThat(rotated).isNotEmpty().isNotEqualTo(original);

    assertFailed(() -> refresh(original), Status.Code.UNAUTHENTICATED, "REFRESH_TOKEN_REUSED");
    assertFailed(() -> refresh(rotated), Status.Code.UNAUTHENTICATED, "REFRESH_TOKEN_INVALID");
  }

  @Test
  void concurrentRefreshesOfOneTokenSucceedAtMostOnce() throws Exception {
    identity.registerVerified(mailbox, "race@t.test", PASSWORD);
    String token = identity.login("race@t.test", PASSWORD).getRefreshToken();
    int callers = 20;
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Status.Code>> outcomes = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < callers; i++) {
        outcomes.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  try {
                    refresh(token);
                    return Status.Code.OK;
                  } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode();
                  }
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Status.Code> codes = new ArrayList<>();
      for (Future<Status.Code> outcome : outcomes) {
        codes.add(outcome.get(60, TimeUnit.SECONDS));
      }
      assertThat(codes.stream().filter(c -> c == Status.Code.OK).count()).isLessThanOrEqualTo(1);
      assertThat(codes)
          .filteredOn(c -> c != Status.Code.OK)
          .hasSizeGreaterThanOrEqualTo(callers - 1)
          .allMatch(c -> c == Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void logoutRevokesTheFamily() {
    identity.registerVerified(mailbox, "logout@t.test", PASSWORD);
    LoginResponse session = identity.login("logout@t.test", PASSWORD);
    String rotated = refresh(session.getRefreshToken()).getRefreshToken();

    identity
        .stub(session.getAccessToken())
        .logout(LogoutRequest.newBuilder().setRefreshToken(rotated).build());

    assertFailed(() -> refresh(rotated), Status.Code.UNAUTHENTICATED, "REFRESH_TOKEN_INVALID");
  }

  // --- delete and restore ----------------------------------------------------------------------

  @Test
  void deletedUserCannotSignInUntilRestoredUnlessTheAddressWasTaken() {
    String email = "deleted@t.test";
    IdentityServiceBlockingStub admin = identity.stub(identity.loginAdmin().getAccessToken());
    identity.registerVerified(mailbox, email, PASSWORD);
    LoginResponse session = identity.login(email, PASSWORD);
    User user = session.getUser();

    User deleted =
        admin
            .deleteUser(
                DeleteUserRequest.newBuilder()
                    .setUserId(user.getId())
                    .setVersion(user.getVersion())
                    .build())
            .getUser();
    assertThat(deleted.getStatus()).isEqualTo(UserStatus.USER_STATUS_DELETED);

    assertFailed(
        () -> identity.login(email, PASSWORD), Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
    assertThat(code(failure(() -> refresh(session.getRefreshToken()))))
        .isEqualTo(Status.Code.UNAUTHENTICATED);

    User restored =
        admin
            .restoreUser(
                RestoreUserRequest.newBuilder()
                    .setUserId(user.getId())
                    .setVersion(deleted.getVersion())
                    .build())
            .getUser();
    assertThat(restored.getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
    assertThat(identity.login(email, PASSWORD).getUser().getId()).isEqualTo(user.getId());

    User deletedAgain =
        admin
            .deleteUser(
                DeleteUserRequest.newBuilder()
                    .setUserId(user.getId())
                    .setVersion(restored.getVersion())
                    .build())
            .getUser();
    identity.register(email, "the new owner's passphrase 1");
    UUID newOwner = identity.userId(email);
    assertThat(newOwner.toString()).isNotEqualTo(user.getId());

    assertFailed(
        () ->
            admin.restoreUser(
                RestoreUserRequest.newBuilder()
                    .setUserId(user.getId())
                    .setVersion(deletedAgain.getVersion())
                    .build()),
        Status.Code.ALREADY_EXISTS,
        "EMAIL_TAKEN");
    assertThat(identity.userId(email)).isEqualTo(newOwner);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static User verify(String token) {
    return identity
        .stub()
        .verifyEmail(VerifyEmailRequest.newBuilder().setToken(token).build())
        .getUser();
  }

  private static void requestReset(String email) {
    identity
        .stub()
        .requestPasswordReset(
            RequestPasswordResetRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(email)
                .build());
  }

  private static void reset(String token, String newPassword) {
    identity
        .stub()
        .resetPassword(
            ResetPasswordRequest.newBuilder().setToken(token).setNewPassword(newPassword).build());
  }

  private static RefreshTokenResponse refresh(String token) {
    return identity
        .stub()
        .refreshToken(RefreshTokenRequest.newBuilder().setRefreshToken(token).build());
  }

  private static void expireOpenToken(String email, String purpose) {
    assertThat(
            identity.sqlUpdate(
                """
        update one_time_tokens
           set expire_time = now() - interval '1 second', create_time = now() - interval '2 seconds'
         where user_id = ? and purpose = ? and use_time is null and revoke_time is null""",
                identity.userId(email),
                purpose))
        .isEqualTo(1);
  }

  private static void assertFailed(Runnable call, Status.Code code, String reason) {
    StatusRuntimeException e = failure(call);
    assertThat(code(e)).as("%s", e.getStatus()).isEqualTo(code);
    assertThat(reason(e)).as("%s", e.getStatus()).isEqualTo(reason);
  }
}
