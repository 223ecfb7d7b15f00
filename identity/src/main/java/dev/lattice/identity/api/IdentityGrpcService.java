package dev.lattice.identity.api;

import dev.lattice.events.v1.Actor;
import dev.lattice.identity.accounts.AccountMail;
import dev.lattice.identity.accounts.Accounts;
import dev.lattice.identity.accounts.PasswordChanges;
import dev.lattice.identity.accounts.UserAdministration;
import dev.lattice.identity.keys.KeyAdministration;
import dev.lattice.identity.roles.Roles;
import dev.lattice.identity.sessions.Sessions;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.tenants.Tenants;
import dev.lattice.identity.v1.*;
import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.grpc.Caller;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gRPC face of the identity service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, authorization by the contract's access option, protovalidate), so
 * every request here is valid by its contract and its caller holds the RPC's permission. The tenant
 * of every staff call comes from the caller's token.
 *
 * <p>Longer than 300 lines on purpose: one short method per RPC of {@code IdentityService} (21 of
 * them), each only translating the request into one feature call and the answer back. Splitting one
 * contract's methods over several classes would make a reader search for where an RPC lands.
 */
public final class IdentityGrpcService extends IdentityServiceGrpc.IdentityServiceImplBase {

  private final Accounts accounts;
  private final PasswordChanges passwordChanges;
  private final AccountMail mail;
  private final Sessions sessions;
  private final UserAdministration users;
  private final Roles roles;
  private final Tenants tenants;
  private final KeyAdministration keys;

  public IdentityGrpcService(
      Accounts accounts,
      PasswordChanges passwordChanges,
      AccountMail mail,
      Sessions sessions,
      UserAdministration users,
      Roles roles,
      Tenants tenants,
      KeyAdministration keys) {
    this.accounts = accounts;
    this.passwordChanges = passwordChanges;
    this.mail = mail;
    this.sessions = sessions;
    this.users = users;
    this.roles = roles;
    this.tenants = tenants;
    this.keys = keys;
  }

  @Override
  public void getUser(GetUserRequest request, StreamObserver<GetUserResponse> response) {
    answer(
        response,
        () ->
            GetUserResponse.newBuilder()
                .setUser(users.get(tenant(), UUID.fromString(request.getUserId())))
                .build());
  }

  @Override
  public void listUsers(ListUsersRequest request, StreamObserver<ListUsersResponse> response) {
    answer(response, () -> users.list(tenant(), request));
  }

  @Override
  public void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> response) {
    answer(
        response,
        () ->
            DeleteUserResponse.newBuilder()
                .setUser(
                    users.delete(
                        tenant(),
                        subject(),
                        actor(),
                        UUID.fromString(request.getUserId()),
                        request.getVersion()))
                .build());
  }

  @Override
  public void getMe(GetMeRequest request, StreamObserver<GetMeResponse> response) {
    answer(
        response,
        () -> {
          User me = users.get(tenant(), subject());
          if (me.getStatus() == UserStatus.USER_STATUS_DELETED) {
            throw UserStore.notFound(subject());
          }
          return GetMeResponse.newBuilder()
              .setUser(me)
              .addAllPermissions(users.permissions(tenant(), subject()))
              .build();
        });
  }

  @Override
  public void createRole(CreateRoleRequest request, StreamObserver<CreateRoleResponse> response) {
    answer(
        response,
        () ->
            CreateRoleResponse.newBuilder()
                .setRole(
                    roles.create(
                        tenant(),
                        Principal.require().permissions(),
                        actor(),
                        request.getName(),
                        request.getDescription(),
                        request.getPermissionsList()))
                .build());
  }

  @Override
  public void listRoles(ListRolesRequest request, StreamObserver<ListRolesResponse> response) {
    answer(response, () -> roles.list(tenant(), request.getPageSize(), request.getPageToken()));
  }

  @Override
  public void createTenant(
      CreateTenantRequest request, StreamObserver<CreateTenantResponse> response) {
    answer(response, () -> tenants.create(actor(), request));
  }

  @Override
  public void getJwks(GetJwksRequest request, StreamObserver<GetJwksResponse> response) {
    answer(response, keys::jwks);
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
    answer(
        response,
        () -> {
          accounts.register(
              new Accounts.Registration(
                  request.getTenantId(),
                  request.getTenantSlug(),
                  request.getEmail(),
                  request.getPassword(),
                  request.getDisplayName(),
                  request.getLocale()));
          return RegisterResponse.getDefaultInstance();
        });
  }

  @Override
  public void verifyEmail(
      VerifyEmailRequest request, StreamObserver<VerifyEmailResponse> response) {
    answer(
        response,
        () ->
            VerifyEmailResponse.newBuilder()
                .setUser(accounts.verifyEmail(request.getToken()))
                .build());
  }

  @Override
  public void resendVerification(
      ResendVerificationRequest request, StreamObserver<ResendVerificationResponse> response) {
    answer(
        response,
        () -> {
          mail.resendVerification(
              request.getTenantId(), request.getTenantSlug(), request.getEmail());
          return ResendVerificationResponse.getDefaultInstance();
        });
  }

  @Override
  public void login(LoginRequest request, StreamObserver<LoginResponse> response) {
    answer(
        response,
        () -> {
          Sessions.Session session =
              sessions.login(
                  request.getTenantId(),
                  request.getTenantSlug(),
                  request.getEmail(),
                  request.getPassword());
          return LoginResponse.newBuilder()
              .setAccessToken(session.access().token())
              .setTokenType("Bearer")
              .setExpiresIn(session.access().expiresInSeconds())
              .setExpireTime(Times.timestamp(session.access().expireTime()))
              .setRefreshToken(session.refresh().raw())
              .setRefreshTokenExpireTime(Times.timestamp(session.refresh().expireTime()))
              .setUser(session.user().orElseThrow())
              .build();
        });
  }

  @Override
  public void refreshToken(
      RefreshTokenRequest request, StreamObserver<RefreshTokenResponse> response) {
    answer(
        response,
        () -> {
          Sessions.Session session = sessions.refresh(request.getRefreshToken());
          return RefreshTokenResponse.newBuilder()
              .setAccessToken(session.access().token())
              .setTokenType("Bearer")
              .setExpiresIn(session.access().expiresInSeconds())
              .setExpireTime(Times.timestamp(session.access().expireTime()))
              .setRefreshToken(session.refresh().raw())
              .setRefreshTokenExpireTime(Times.timestamp(session.refresh().expireTime()))
              .build();
        });
  }

  @Override
  public void logout(LogoutRequest request, StreamObserver<LogoutResponse> response) {
    answer(
        response,
        () -> {
          sessions.logout(tenant(), subject(), request.getRefreshToken(), request.getAllSessions());
          return LogoutResponse.getDefaultInstance();
        });
  }

  @Override
  public void requestPasswordReset(
      RequestPasswordResetRequest request, StreamObserver<RequestPasswordResetResponse> response) {
    answer(
        response,
        () -> {
          mail.requestPasswordReset(
              request.getTenantId(), request.getTenantSlug(), request.getEmail());
          return RequestPasswordResetResponse.getDefaultInstance();
        });
  }

  @Override
  public void resetPassword(
      ResetPasswordRequest request, StreamObserver<ResetPasswordResponse> response) {
    answer(
        response,
        () -> {
          accounts.resetPassword(request.getToken(), request.getNewPassword());
          return ResetPasswordResponse.getDefaultInstance();
        });
  }

  @Override
  public void changePassword(
      ChangePasswordRequest request, StreamObserver<ChangePasswordResponse> response) {
    answer(
        response,
        () -> {
          Optional<UUID> session = Principal.require().sessionId().map(UUID::fromString);
          passwordChanges.changePassword(
              tenant(), subject(), session, request.getCurrentPassword(), request.getNewPassword());
          return ChangePasswordResponse.getDefaultInstance();
        });
  }

  @Override
  public void restoreUser(
      RestoreUserRequest request, StreamObserver<RestoreUserResponse> response) {
    answer(
        response,
        () ->
            RestoreUserResponse.newBuilder()
                .setUser(
                    users.restore(
                        tenant(),
                        actor(),
                        UUID.fromString(request.getUserId()),
                        request.getVersion()))
                .build());
  }

  @Override
  public void assignRole(AssignRoleRequest request, StreamObserver<AssignRoleResponse> response) {
    answer(
        response,
        () ->
            AssignRoleResponse.newBuilder()
                .setUser(
                    roles.assign(
                        tenant(),
                        Principal.require().permissions(),
                        actor(),
                        UUID.fromString(request.getUserId()),
                        request.getRole(),
                        request.getVersion()))
                .build());
  }

  @Override
  public void revokeRole(RevokeRoleRequest request, StreamObserver<RevokeRoleResponse> response) {
    answer(
        response,
        () ->
            RevokeRoleResponse.newBuilder()
                .setUser(
                    roles.revoke(
                        tenant(),
                        Principal.require().permissions(),
                        actor(),
                        UUID.fromString(request.getUserId()),
                        request.getRole(),
                        request.getVersion()))
                .build());
  }

  @Override
  public void rotateSigningKey(
      RotateSigningKeyRequest request, StreamObserver<RotateSigningKeyResponse> response) {
    answer(response, () -> keys.rotate(tenant(), actor(), request.getRevokePrevious()));
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }

  private static UUID subject() {
    return UUID.fromString(Principal.require().subject());
  }

  private static Actor actor() {
    return Caller.current().actor(Principal.require().subject());
  }

  /** Runs {@code work} and completes the call; exceptions reach the platform's error mapping. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    response.onNext(work.get());
    response.onCompleted();
  }
}
