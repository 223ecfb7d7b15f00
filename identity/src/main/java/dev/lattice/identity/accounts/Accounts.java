package dev.lattice.identity.accounts;

import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.shared.TextFields;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.store.StoredTenant;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.TenantStore;
import dev.lattice.identity.store.UserRoleStore;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.throttle.ThrottleAction;
import dev.lattice.identity.throttle.ThrottleScope;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.v1.AccountExistsNotified;
import dev.lattice.identity.v1.EmailVerified;
import dev.lattice.identity.v1.PasswordChangeMethod;
import dev.lattice.identity.v1.PasswordChanged;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserRegistered;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.LatticeException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.grpc.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Self-service account flows: registration, email verification and password reset (the mails they
 * send are {@link AccountMail}'s; a signed-in user's password change is {@link PasswordChanges}').
 * Caller-facing answers never reveal whether an address is registered: the work done on the request
 * path is the same for both cases (Register: throttles, one Argon2id hash, one transaction).
 * Thread-safe.
 */
public final class Accounts {

  /** Role every self-registered user gets. */
  public static final String CUSTOMER_ROLE = "customer";

  private final DSLContext dsl;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final Throttles throttles;
  private final IdentityEvents events;
  private final AccountMail mail;
  private final OneTimeTokens oneTimeTokens;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Accounts(
      DSLContext dsl,
      PasswordHasher hasher,
      PasswordPolicy policy,
      Throttles throttles,
      IdentityEvents events,
      AccountMail mail,
      Clock clock) {
    this.dsl = dsl;
    this.hasher = hasher;
    this.policy = policy;
    this.throttles = throttles;
    this.events = events;
    this.mail = mail;
    this.ids = new UuidV7Generator(clock);
    this.oneTimeTokens = new OneTimeTokens(ids);
    this.clock = clock;
  }

  /** A registration request, already validated by protovalidate. */
  public record Registration(
      String tenantId,
      String tenantSlug,
      String email,
      String password,
      String displayName,
      String locale) {
    @Override
    public String toString() {
      return "Registration[tenant=" + tenantId + tenantSlug + ", password=<redacted>]";
    }
  }

  /** Register: creates the user, or tells the owner of an existing address; same answer. */
  public void register(Registration request) {
    TextFields.requireNoControlCharacters("display_name", request.displayName());
    Caller caller = Caller.current();
    throttles.hit(ThrottleAction.REGISTER, ThrottleScope.ADDRESS, caller.address());
    StoredTenant tenant =
        TenantStore.find(dsl, request.tenantId(), request.tenantSlug())
            .orElseThrow(
                () -> new NotFoundException(TenantStore.TENANT_NOT_FOUND, "tenant not found"));
    String email = EmailAddresses.normalize(request.email());
    throttles.hit(
        ThrottleAction.REGISTER, ThrottleScope.ACCOUNT, Throttles.accountKey(tenant.id(), email));
    policy.check("password", request.password());
    // Hash before looking: an existing address costs the same Argon2id as a new one.
    String hash = hasher.hash(PasswordPolicy.normalize(request.password()));
    String locale = request.locale().isEmpty() ? "en" : request.locale();
    Transactions.inTenantTransaction(
        dsl,
        tenant.id(),
        tx -> {
          Instant now = clock.instant();
          UUID userId = ids.next();
          boolean inserted =
              UserStore.insertUnlessTaken(
                  tx,
                  new UserStore.NewUser(
                      userId,
                      tenant.id(),
                      email,
                      hash,
                      request.displayName(),
                      locale,
                      "PENDING_VERIFICATION"),
                  Times.utc(now));
          if (!inserted) {
            notifyExisting(tx, tenant.id(), email, caller);
            return null;
          }
          UserRoleStore.grantBuiltIn(tx, tenant.id(), userId, CUSTOMER_ROLE, Times.utc(now));
          events.user(
              tx,
              tenant.id(),
              userId,
              1,
              caller.actor(userId.toString()),
              UserRegistered.newBuilder()
                  .setUserId(userId.toString())
                  .setEmail(email)
                  .setDisplayName(request.displayName())
                  .setLocale(locale)
                  .addRoles(CUSTOMER_ROLE)
                  .build());
          mail.issueVerification(
              tx,
              new MailRecipient(tenant.id(), userId, 1, email, request.displayName(), locale),
              caller.actor(userId.toString()),
              now);
          return null;
        });
  }

  /** VerifyEmail: PENDING_VERIFICATION → ACTIVE with a single-use token. */
  public User verifyEmail(String rawToken) {
    Caller caller = Caller.current();
    throttles.check(ThrottleAction.VERIFY_EMAIL, ThrottleScope.ADDRESS, caller.address());
    try {
      return Transactions.acrossTenants(
          dsl,
          tx -> {
            Instant now = clock.instant();
            StoredOneTimeToken token =
                oneTimeTokens.spend(tx, rawToken, Set.of(OneTimeTokens.VERIFY_EMAIL), now);
            StoredUser user = UserStore.lock(tx, token.tenantId(), token.userId());
            if (user.deleted()) {
              throw new FailedPreconditionException(
                  OneTimeTokens.TOKEN_INVALID, "the token is not valid");
            }
            if ("PENDING_VERIFICATION".equals(user.status())) {
              user = markVerified(tx, user, now, caller);
            }
            return UserProtos.toProto(tx, user);
          });
    } catch (LatticeException e) {
      throttles.recordFailure(ThrottleAction.VERIFY_EMAIL, ThrottleScope.ADDRESS, caller.address());
      throw e;
    }
  }

  /** ResetPassword: sets the password with a reset token and signs the user out everywhere. */
  public void resetPassword(String rawToken, String newPassword) {
    Caller caller = Caller.current();
    throttles.check(ThrottleAction.RESET_PASSWORD, ThrottleScope.ADDRESS, caller.address());
    policy.check("new_password", newPassword);
    String hash = hasher.hash(PasswordPolicy.normalize(newPassword));
    try {
      Transactions.acrossTenants(
          dsl,
          tx -> {
            Instant now = clock.instant();
            StoredOneTimeToken token =
                oneTimeTokens.spend(
                    tx,
                    rawToken,
                    Set.of(OneTimeTokens.RESET_PASSWORD, OneTimeTokens.ACCOUNT_SETUP),
                    now);
            StoredUser user = UserStore.lock(tx, token.tenantId(), token.userId());
            if (user.deleted() || "DISABLED".equals(user.status())) {
              throw new FailedPreconditionException(
                  OneTimeTokens.TOKEN_INVALID, "the token is not valid");
            }
            user = UserStore.setPassword(tx, user, hash, Times.utc(now));
            RefreshTokenStore.revokeUser(
                tx, user.id(), Optional.empty(), Times.utc(now), "PASSWORD_RESET");
            events.user(
                tx,
                user.tenantId(),
                user.id(),
                user.version(),
                caller.actor(user.id().toString()),
                PasswordChanged.newBuilder()
                    .setUserId(user.id().toString())
                    .setEmail(user.email())
                    .setMethod(PasswordChangeMethod.PASSWORD_CHANGE_METHOD_RESET)
                    .build());
            if ("PENDING_VERIFICATION".equals(user.status())) {
              // The token reached the mailbox: that verifies it.
              markVerified(tx, user, now, caller);
            }
            return null;
          });
    } catch (FailedPreconditionException e) {
      throttles.recordFailure(
          ThrottleAction.RESET_PASSWORD, ThrottleScope.ADDRESS, caller.address());
      throw e;
    }
  }

  /** Tells the owner of an address already registered, in {@code tx} (Register's other branch). */
  private void notifyExisting(DSLContext tx, UUID tenantId, String email, Caller caller) {
    UserStore.findLive(tx, tenantId, email)
        .ifPresent(
            user ->
                events.user(
                    tx,
                    user.tenantId(),
                    user.id(),
                    user.version(),
                    caller.actor(""),
                    AccountExistsNotified.newBuilder()
                        .setUserId(user.id().toString())
                        .setEmail(user.email())
                        .setDisplayName(user.displayName())
                        .setLocale(user.locale())
                        .build()));
  }

  private StoredUser markVerified(DSLContext tx, StoredUser user, Instant now, Caller caller) {
    StoredUser verified = UserStore.markVerified(tx, user, Times.utc(now));
    events.user(
        tx,
        verified.tenantId(),
        verified.id(),
        verified.version(),
        caller.actor(verified.id().toString()),
        EmailVerified.newBuilder()
            .setUserId(verified.id().toString())
            .setEmail(verified.email())
            .build());
    return verified;
  }
}
