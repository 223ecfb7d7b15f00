package dev.lattice.identity;

import static dev.lattice.identity.IdentityHarness.code;
import static dev.lattice.identity.IdentityHarness.failure;
import static dev.lattice.identity.IdentityHarness.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.CreateTenantResponse;
import dev.lattice.identity.v1.GetUserRequest;
import dev.lattice.identity.v1.InitialAdmin;
import dev.lattice.identity.v1.ListUsersRequest;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.ResetPasswordRequest;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.identity.v1.TenantStatus;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserStatus;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tenancy: the platform admin creates a tenant with its first admin, who sets a password through
 * the account-setup mail; the tenant of every call comes from the token, and another tenant's user
 * is NOT_FOUND from either side.
 */
class TenancyIT {

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
  void bootstrap_tenantCreatedDescribesThePlatformAdmin_soOtherServicesCanAddressIt() {
    User admin = identity.loginAdmin().getUser();

    TenantCreated platform =
        mailbox.awaitCount(TenantCreated.class, t -> t.getSlug().equals("platform"), 1).get(0);
    assertThat(platform.getTenantId()).isEqualTo(admin.getTenantId());
    assertThat(platform.getInitialAdminUserId()).isEqualTo(admin.getId());
    assertThat(platform.getInitialAdminEmail()).isEqualTo(IdentityHarness.ADMIN_EMAIL);
    assertThat(platform.getInitialAdminDisplayName())
        .isEqualTo(admin.getDisplayName())
        .isNotEmpty();
    assertThat(platform.getInitialAdminLocale()).isEqualTo(admin.getLocale()).isEqualTo("en");
  }

  @Test
  void newTenantsAdminSetsUpTheAccount_andTenantsCannotSeeEachOther() {
    LoginResponse platformAdmin = identity.loginAdmin();
    CreateTenantResponse created =
        identity
            .stub(platformAdmin.getAccessToken())
            .createTenant(
                CreateTenantRequest.newBuilder()
                    .setSlug("acme")
                    .setDisplayName("Acme")
                    .setInitialAdmin(
                        InitialAdmin.newBuilder()
                            .setEmail("Owner@Acme.test")
                            .setDisplayName("Owner"))
                    .build());
    assertThat(created.getTenant().getStatus()).isEqualTo(TenantStatus.TENANT_STATUS_ACTIVE);
    User owner = created.getInitialAdmin();
    assertThat(owner.getTenantId()).isEqualTo(created.getTenant().getId());
    assertThat(owner.getStatus()).isEqualTo(UserStatus.USER_STATUS_PENDING_VERIFICATION);
    assertThat(owner.getRolesList()).containsExactly("admin");
    TenantCreated acme =
        mailbox.awaitCount(TenantCreated.class, t -> t.getSlug().equals("acme"), 1).get(0);
    assertThat(acme.getInitialAdminUserId()).isEqualTo(owner.getId());
    assertThat(acme.getInitialAdminEmail()).isEqualTo("owner@acme.test");
    assertThat(acme.getInitialAdminDisplayName()).isEqualTo("Owner");
    assertThat(acme.getInitialAdminLocale()).isEqualTo("en");

    PasswordResetRequested setup = mailbox.resetRequest("owner@acme.test");
    assertThat(setup.getPurpose())
        .isEqualTo(PasswordResetPurpose.PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP);
    identity
        .stub()
        .resetPassword(
            ResetPasswordRequest.newBuilder()
                .setToken(setup.getToken())
                .setNewPassword("acme owner passphrase 9")
                .build());
    LoginResponse acmeAdmin =
        identity
            .stub()
            .login(
                LoginRequest.newBuilder()
                    .setTenantSlug("acme")
                    .setEmail("owner@acme.test")
                    .setPassword("acme owner passphrase 9")
                    .build());
    assertThat(acmeAdmin.getUser().getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);

    // Each tenant's admin meets NOT_FOUND for the other's users, never PERMISSION_DENIED.
    var acrossFromAcme =
        failure(
            () ->
                identity
                    .stub(acmeAdmin.getAccessToken())
                    .getUser(
                        GetUserRequest.newBuilder()
                            .setUserId(platformAdmin.getUser().getId())
                            .build()));
    assertThat(code(acrossFromAcme)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(reason(acrossFromAcme)).isEqualTo("USER_NOT_FOUND");
    var acrossFromPlatform =
        failure(
            () ->
                identity
                    .stub(platformAdmin.getAccessToken())
                    .getUser(GetUserRequest.newBuilder().setUserId(owner.getId()).build()));
    assertThat(code(acrossFromPlatform)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(
            identity
                .stub(acmeAdmin.getAccessToken())
                .listUsers(ListUsersRequest.getDefaultInstance())
                .getUsersList())
        .extracting(User::getEmail)
        .containsExactly("owner@acme.test");

    // One address may hold an account in each tenant.
    identity
        .stub()
        .register(
            RegisterRequest.newBuilder()
                .setTenantSlug("acme")
                .setEmail(IdentityHarness.ADMIN_EMAIL)
                .setPassword("another passphrase 77")
                .setDisplayName("Twin")
                .build());
    assertThat(
            identity
                .stub(acmeAdmin.getAccessToken())
                .listUsers(ListUsersRequest.getDefaultInstance())
                .getUsersCount())
        .isEqualTo(2);

    var taken =
        failure(
            () ->
                identity
                    .stub(platformAdmin.getAccessToken())
                    .createTenant(
                        CreateTenantRequest.newBuilder()
                            .setSlug("acme")
                            .setDisplayName("Acme again")
                            .build()));
    assertThat(code(taken)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(reason(taken)).isEqualTo("TENANT_SLUG_TAKEN");
    var notPlatformAdmin =
        failure(
            () ->
                identity
                    .stub(acmeAdmin.getAccessToken())
                    .createTenant(
                        CreateTenantRequest.newBuilder()
                            .setSlug("other")
                            .setDisplayName("Other")
                            .build()));
    assertThat(code(notPlatformAdmin)).isEqualTo(Status.Code.PERMISSION_DENIED);
    var controlCharacters =
        failure(
            () ->
                identity
                    .stub(platformAdmin.getAccessToken())
                    .createTenant(
                        CreateTenantRequest.newBuilder()
                            .setSlug("nul")
                            .setDisplayName("bad\u0000name")
                            .build()));
    assertThat(code(controlCharacters)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
