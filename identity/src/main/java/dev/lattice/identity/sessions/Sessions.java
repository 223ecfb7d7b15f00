package dev.lattice.identity.sessions;

import dev.lattice.identity.accounts.EmailAddresses;
import dev.lattice.identity.accounts.UserProtos;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.store.StoredRefreshToken;
import dev.lattice.identity.store.StoredTenant;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.TenantStore;
import dev.lattice.identity.store.UserRoleStore;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.throttle.ThrottleAction;
import dev.lattice.identity.throttle.ThrottleScope;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.tokens.AccessTokens;
import dev.lattice.identity.tokens.OpaqueTokens;
import dev.lattice.identity.v1.User;
import dev.lattice.platform.db.TenantScope;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.grpc.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Sign-in, refresh-token rotation and sign-out.
 *
 * <p>Login answers one INVALID_CREDENTIALS for an unknown tenant or email, a wrong password, a user
 * without a password, a disabled or a deleted user, and spends one Argon2id verification on each.
 * Failures count per (account, client address), so an attacker elsewhere cannot lock the owner out,
 * and per address (spraying). Thread-safe.
 */
public final class Sessions {

  static final String INVALID_CREDENTIALS = "INVALID_CREDENTIALS";
  static final String EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED";
  static final String TENANT_SUSPENDED = "TENANT_SUSPENDED";
  static final String REFRESH_TOKEN_INVALID = "REFRESH_TOKEN_INVALID";
  static final String REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED";

  private final DSLContext dsl;
  private final PasswordHasher hasher;
  private final Throttles throttles;
  private final RefreshTokens refreshTokens;
  private final AccessTokens accessTokens;
  private final Clock clock;

  public Sessions(
      DSLContext dsl,
      PasswordHasher hasher,
      Throttles throttles,
      RefreshTokens refreshTokens,
      AccessTokens accessTokens,
      Clock clock) {
    this.dsl = dsl;
    this.hasher = hasher;
    this.throttles = throttles;
    this.refreshTokens = refreshTokens;
    this.accessTokens = accessTokens;
    this.clock = clock;
  }

  /** A signed-in session: the tokens and, for Login, the user. */
  public record Session(
      AccessTokens.Issued access, RefreshTokens.Issued refresh, Optional<User> user) {}

  /** Login. */
  public Session login(String tenantId, String tenantSlug, String rawEmail, String password) {
    Caller caller = Caller.current();
    String email = EmailAddresses.normalize(rawEmail);
    Optional<StoredTenant> tenant = TenantStore.find(dsl, tenantId, tenantSlug);
    UUID tenantKey = tenant.map(StoredTenant::id).orElse(new UUID(0, 0));
    String accountAddress = Throttles.accountKey(tenantKey, email) + "|" + caller.address();
    throttles.check(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
    throttles.check(ThrottleAction.LOGIN, ThrottleScope.ADDRESS, caller.address());

    Optional<StoredUser> user =
        tenant.flatMap(
            t ->
                Transactions.inTenantTransaction(
                    dsl, t.id(), tx -> UserStore.findLive(tx, t.id(), email)));
    String normalized = PasswordPolicy.normalize(password);
    boolean matches = hasher.matches(normalized, user.map(StoredUser::passwordHash).orElse(null));
    if (!matches || "DISABLED".equals(user.get().status())) {
      throttles.recordFailure(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
      throttles.recordFailure(ThrottleAction.LOGIN, ThrottleScope.ADDRESS, caller.address());
      throw new UnauthenticatedException(INVALID_CREDENTIALS, "invalid email or password");
    }
    throttles.reset(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
    StoredUser found = user.get();
    if ("PENDING_VERIFICATION".equals(found.status())) {
      throw new FailedPreconditionException(EMAIL_NOT_VERIFIED, "verify your email address first");
    }
    if (!"ACTIVE".equals(tenant.get().status())) {
      throw new PermissionDeniedException(TENANT_SUSPENDED, "the tenant is suspended");
    }
    if (hasher.needsRehash(found.passwordHash())) {
      rehash(found, normalized);
    }
    return Transactions.inTenantTransaction(
        dsl,
        found.tenantId(),
        tx -> {
          Instant now = clock.instant();
          RefreshTokens.Issued refresh =
              refreshTokens.startFamily(
                  tx, found.tenantId(), found.id(), now, caller.address(), caller.userAgent());
          List<String> roles = UserRoleStore.roles(tx, found.id());
          AccessTokens.Issued access =
              accessTokens.issue(
                  found.id(),
                  found.tenantId(),
                  refresh.familyId(),
                  roles,
                  UserRoleStore.permissions(tx, found.id()));
          return new Session(access, refresh, Optional.of(UserProtos.toProto(found, roles)));
        });
  }

  private enum RefreshOutcome {
    ROTATED,
    REUSED
  }

  private record Refreshed(RefreshOutcome outcome, Session session) {}

  /**
   * RefreshToken: spends the presented token and issues its child. A spent token presented again
   * revokes the whole family (it was stolen, or its holder raced itself). Two concurrent refreshes
   * of one token serialize on its row lock: the second sees it spent.
   *
   * <p>The token alone names the session, so its transaction starts across tenants to find it by
   * its hash (decision 0018) and works as the token's tenant from then on.
   */
  public Session refresh(String rawToken) {
    Caller caller = Caller.current();
    Refreshed result =
        Transactions.acrossTenants(
            dsl,
            tx -> {
              Instant now = clock.instant();
              StoredRefreshToken token =
                  RefreshTokenStore.lockByHash(tx, OpaqueTokens.hash(rawToken))
                      .orElseThrow(Sessions::invalidRefresh);
              TenantScope.enter(tx, token.tenantId());
              if (token.useTime() != null) {
                refreshTokens.revokeFamily(tx, token.familyId(), now, "REUSE_DETECTED");
                return new Refreshed(RefreshOutcome.REUSED, null);
              }
              if (token.revokeTime() != null
                  || !token.expireTime().toInstant().isAfter(now)
                  || !token.idleExpireTime().toInstant().isAfter(now)) {
                throw invalidRefresh();
              }
              StoredUser user =
                  UserStore.find(tx, token.userId())
                      .filter(u -> !u.deleted() && "ACTIVE".equals(u.status()))
                      .orElseThrow(Sessions::invalidRefresh);
              if (!"ACTIVE".equals(TenantStore.findStatus(tx, user.tenantId()))) {
                throw new PermissionDeniedException(TENANT_SUSPENDED, "the tenant is suspended");
              }
              RefreshTokenStore.markUsed(tx, token.id(), Times.utc(now));
              RefreshTokens.Issued child =
                  refreshTokens.child(
                      tx,
                      user.tenantId(),
                      user.id(),
                      token.familyId(),
                      token.id(),
                      now,
                      token.expireTime().toInstant(),
                      caller.address(),
                      caller.userAgent());
              AccessTokens.Issued access =
                  accessTokens.issue(
                      user.id(),
                      user.tenantId(),
                      token.familyId(),
                      UserRoleStore.roles(tx, user.id()),
                      UserRoleStore.permissions(tx, user.id()));
              return new Refreshed(
                  RefreshOutcome.ROTATED, new Session(access, child, Optional.empty()));
            });
    if (result.outcome() == RefreshOutcome.REUSED) {
      throw new UnauthenticatedException(
          REFRESH_TOKEN_REUSED, "the refresh token was already used; its session is revoked");
    }
    return result.session();
  }

  /**
   * Logout: revokes the family of {@code rawToken} when it belongs to the caller (else nothing,
   * revealing nothing), or every family of the caller.
   */
  public void logout(UUID tenantId, UUID userId, String rawToken, boolean allSessions) {
    Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Instant now = clock.instant();
          if (allSessions) {
            refreshTokens.revokeUser(tx, userId, Optional.empty(), now, "LOGOUT_ALL");
          }
          if (!rawToken.isEmpty()) {
            RefreshTokenStore.findFamilyOfUser(tx, OpaqueTokens.hash(rawToken), userId)
                .ifPresent(family -> refreshTokens.revokeFamily(tx, family, now, "LOGOUT"));
          }
          return null;
        });
  }

  private void rehash(StoredUser user, String normalizedPassword) {
    String upgraded = hasher.hash(normalizedPassword);
    // Only if nobody changed the password meanwhile; not a user-visible change (no version bump).
    Transactions.inTenantTransaction(
        dsl,
        user.tenantId(),
        tx -> {
          UserStore.upgradePasswordHash(tx, user.id(), user.passwordHash(), upgraded);
          return null;
        });
  }

  private static UnauthenticatedException invalidRefresh() {
    return new UnauthenticatedException(REFRESH_TOKEN_INVALID, "the refresh token is not valid");
  }
}
