package dev.lattice.identity.accounts;

import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.throttle.ThrottleAction;
import dev.lattice.identity.throttle.ThrottleScope;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.v1.PasswordChangeMethod;
import dev.lattice.identity.v1.PasswordChanged;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.grpc.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A signed-in user's password change (ChangePassword): the current password is checked like a
 * sign-in, throttled alike, and every other session of the user ends. The token-based reset is
 * {@link Accounts#resetPassword}. Thread-safe.
 */
public final class PasswordChanges {

  static final String PASSWORD_INCORRECT = "PASSWORD_INCORRECT";
  static final String PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED";

  private final DSLContext dsl;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final Throttles throttles;
  private final IdentityEvents events;
  private final Clock clock;

  public PasswordChanges(
      DSLContext dsl,
      PasswordHasher hasher,
      PasswordPolicy policy,
      Throttles throttles,
      IdentityEvents events,
      Clock clock) {
    this.dsl = dsl;
    this.hasher = hasher;
    this.policy = policy;
    this.throttles = throttles;
    this.events = events;
    this.clock = clock;
  }

  /**
   * ChangePassword: needs the current password (a wrong one counts as a failed sign-in); revokes
   * every other session of the user.
   *
   * @param sessionFamily the caller's own refresh token family, kept signed in
   */
  public void changePassword(
      UUID tenantId,
      UUID userId,
      Optional<UUID> sessionFamily,
      String currentPassword,
      String newPassword) {
    Caller caller = Caller.current();
    StoredUser user =
        Transactions.inTenantTransaction(dsl, tenantId, tx -> UserStore.get(tx, tenantId, userId));
    if (user.deleted()) {
      throw UserStore.notFound(userId);
    }
    String accountAddress =
        Throttles.accountKey(tenantId, user.emailNormalized()) + "|" + caller.address();
    throttles.check(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
    if (!hasher.matches(PasswordPolicy.normalize(currentPassword), user.passwordHash())) {
      throttles.recordFailure(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
      throttles.recordFailure(ThrottleAction.LOGIN, ThrottleScope.ADDRESS, caller.address());
      throw InvalidArgumentException.forField(
          PASSWORD_INCORRECT, "current_password", "does not match the current password");
    }
    if (PasswordPolicy.normalize(currentPassword).equals(PasswordPolicy.normalize(newPassword))) {
      throw InvalidArgumentException.forField(
          PASSWORD_UNCHANGED, "new_password", "must differ from the current password");
    }
    policy.check("new_password", newPassword);
    String hash = hasher.hash(PasswordPolicy.normalize(newPassword));
    Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Instant now = clock.instant();
          StoredUser changed =
              UserStore.setPassword(tx, UserStore.lock(tx, tenantId, userId), hash, Times.utc(now));
          RefreshTokenStore.revokeUser(
              tx, userId, sessionFamily, Times.utc(now), "PASSWORD_CHANGED");
          events.user(
              tx,
              tenantId,
              userId,
              changed.version(),
              caller.actor(userId.toString()),
              PasswordChanged.newBuilder()
                  .setUserId(userId.toString())
                  .setEmail(changed.email())
                  .setMethod(PasswordChangeMethod.PASSWORD_CHANGE_METHOD_CHANGE)
                  .build());
          return null;
        });
  }
}
