package dev.lattice.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.identity.v1.GetMeRequest;
import dev.lattice.identity.v1.GetMeResponse;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.UserStatus;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The happy path through real gRPC: register, verify by the mailed token, sign in, GetMe. */
class IdentityFlowsIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

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

  @Test
  void registerVerifyLoginAndGetMe() {
    identity
        .stub()
        .register(
            RegisterRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail("Alice@Example.COM")
                .setPassword("a long passphrase 1234")
                .setDisplayName("Alice")
                .build());
    LoginRequest login =
        LoginRequest.newBuilder()
            .setTenantSlug("platform")
            .setEmail("alice@example.com")
            .setPassword("a long passphrase 1234")
            .build();
    assertThatThrownBy(() -> identity.stub().login(login))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));

    String token = mailbox.verificationToken("alice@example.com");
    assertThat(
            identity
                .stub()
                .verifyEmail(VerifyEmailRequest.newBuilder().setToken(token).build())
                .getUser()
                .getStatus())
        .isEqualTo(UserStatus.USER_STATUS_ACTIVE);

    LoginResponse session = identity.stub().login(login);
    assertThat(session.getTokenType()).isEqualTo("Bearer");
    assertThat(session.getExpiresIn()).isEqualTo(900);
    GetMeResponse me =
        identity.stub(session.getAccessToken()).getMe(GetMeRequest.getDefaultInstance());
    assertThat(me.getUser().getEmail()).isEqualTo("alice@example.com");
    assertThat(me.getUser().getRolesList()).containsExactly("customer");
    assertThat(me.getPermissionsList())
        .containsExactly("inventory.read", "orders.read", "orders.write");
  }

  @Test
  void adminSignsIn() {
    LoginResponse admin = identity.loginAdmin();
    assertThat(admin.getUser().getRolesList()).containsExactly("platform-admin");
  }
}
