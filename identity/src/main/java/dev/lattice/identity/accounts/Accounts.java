package dev.lattice.identity.accounts;

import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import dev.lattice.identity.IdentityConfig;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.sessions.RefreshTokens;
import dev.lattice.identity.store.jooq.tables.records.OneTimeTokensRecord;
import dev.lattice.identity.store.jooq.tables.records.TenantsRecord;
import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
import dev.lattice.identity.throttle.ThrottleAction;
import dev.lattice.identity.throttle.ThrottleScope;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.v1.AccountExistsNotified;
import dev.lattice.identity.v1.AccountMailKind;
import dev.lattice.identity.v1.AccountMailRequested;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.EmailVerified;
import dev.lattice.identity.v1.PasswordChangeMethod;
import dev.lattice.identity.v1.PasswordChanged;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserRegistered;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.PermanentEventException;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.LatticeException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.grpc.Caller;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Self-service account flows: registration, email verification, password reset and change.
 * Caller-facing answers never reveal whether an address is registered: the work done on the
 * request path is the same for both cases (Register: throttles, one Argon2id hash, one
 * transaction; the mail flows: throttles and one outbox row, the user looked up later by
 * identity's own consumer).
 */
public final class Accounts {

  /** Role every self-registered user gets. */
  public static final String CUSTOMER_ROLE = "customer";

  static final String PASSWORD_INCORRECT = "PASSWORD_INCORRECT";
  static final String PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED";

  private final DSLContext dsl;
  private final IdentityConfig config;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final Throttles throttles;
  private final IdentityEvents events;
  private final RefreshTokens refreshTokens;
  private final OneTimeTokens oneTimeTokens;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Accounts(
      DSLContext dsl, IdentityConfig config, PasswordHasher hasher, PasswordPolicy policy,
      Throttles throttles, IdentityEvents events, RefreshTokens refreshTokens, Clock clock) {
    this.dsl = dsl;
    this.config = config;
    this.hasher = hasher;
    this.policy = policy;
    this.throttles = throttles;
    this.events = events;
    this.refreshTokens = refreshTokens;
    this.ids = new UuidV7Generator(clock);
    this.oneTimeTokens = new OneTimeTokens(ids);
    this.clock = clock;
  }

  /** A registration request, already validated by protovalidate. */
  public record Registration(
      String tenantId, String tenantSlug, String email, String password, String displayName, String locale) {
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
    TenantsRecord tenant =
        UserStore.tenant(dsl, request.tenantId(), request.tenantSlug())
            .orElseThrow(() -> new NotFoundException(UserStore.TENANT_NOT_FOUND, "tenant not found"));
    String email = EmailAddresses.normalize(request.email());
    throttles.hit(ThrottleAction.REGISTER, ThrottleScope.ACCOUNT, Throttles.accountKey(tenant.getId(), email));
    policy.check("password", request.password());
    // Hash before looking: an existing address costs the same Argon2id as a new one.
    String hash = hasher.hash(PasswordPolicy.normalize(request.password()));
    String locale = request.locale().isEmpty() ? "en" : request.locale();
    Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      UUID userId = ids.next();
      int inserted =
          tx.insertInto(USERS)
              .set(USERS.ID, userId)
              .set(USERS.TENANT_ID, tenant.getId())
              .set(USERS.EMAIL, email)
              .set(USERS.PASSWORD_HASH, hash)
              .set(USERS.DISPLAY_NAME, request.displayName())
              .set(USERS.LOCALE, locale)
              .set(USERS.STATUS, "PENDING_VERIFICATION")
              .set(USERS.CREATE_TIME, OneTimeTokens.utc(now))
              .set(USERS.UPDATE_TIME, OneTimeTokens.utc(now))
              .onConflict(USERS.TENANT_ID, USERS.EMAIL_NORMALIZED)
              .where(USERS.DELETE_TIME.isNull())
              .doNothing()
              .execute();
      if (inserted == 0) {
        Optional<UsersRecord> existing = UserStore.findLive(tx, tenant.getId(), email);
        existing.ifPresent(user -> events.user(tx, user.getTenantId(), user.getId(), user.getVersion(),
            caller.actor(""),
            AccountExistsNotified.newBuilder()
                .setUserId(user.getId().toString())
                .setEmail(user.getEmail())
                .setDisplayName(user.getDisplayName())
                .setLocale(user.getLocale())
                .build()));
        return null;
      }
      grantBuiltIn(tx, tenant.getId(), userId, CUSTOMER_ROLE, now);
      events.user(tx, tenant.getId(), userId, 1, caller.actor(userId.toString()),
          UserRegistered.newBuilder()
              .setUserId(userId.toString())
              .setEmail(email)
              .setDisplayName(request.displayName())
              .setLocale(locale)
              .addRoles(CUSTOMER_ROLE)
              .build());
      OneTimeTokens.Issued token =
          oneTimeTokens.issue(tx, tenant.getId(), userId, OneTimeTokens.VERIFY_EMAIL, now, config.verificationTtl());
      events.user(tx, tenant.getId(), userId, 1, caller.actor(userId.toString()),
          verificationRequested(userId, email, request.displayName(), locale, token));
      return null;
    });
  }

  /** VerifyEmail: PENDING_VERIFICATION → ACTIVE with a single-use token. */
  public User verifyEmail(String rawToken) {
    Caller caller = Caller.current();
    throttles.check(ThrottleAction.VERIFY_EMAIL, ThrottleScope.ADDRESS, caller.address());
    try {
      return Transactions.inTransaction(dsl, tx -> {
        Instant now = clock.instant();
        OneTimeTokensRecord token =
            oneTimeTokens.spend(tx, rawToken, Set.of(OneTimeTokens.VERIFY_EMAIL), now);
        UsersRecord user = UserStore.lock(tx, token.getTenantId(), token.getUserId());
        if (user.getDeleteTime() != null) {
          throw new dev.lattice.platform.errors.FailedPreconditionException(
              OneTimeTokens.TOKEN_INVALID, "the token is not valid");
        }
        if ("PENDING_VERIFICATION".equals(user.getStatus())) {
          markVerified(tx, user, now, caller);
        }
        return UserStore.toProto(tx, user);
      });
    } catch (LatticeException e) {
      throttles.recordFailure(ThrottleAction.VERIFY_EMAIL, ThrottleScope.ADDRESS, caller.address());
      throw e;
    }
  }

  /**
   * ResendVerification: OK whether or not the address exists. The request path only records an
   * {@link AccountMailRequested}; {@link #handleMailRequest} sends the mail to a pending user.
   */
  public void resendVerification(String tenantId, String tenantSlug, String rawEmail) {
    requestMail(AccountMailKind.ACCOUNT_MAIL_KIND_VERIFICATION, ThrottleAction.RESEND_VERIFICATION,
        tenantId, tenantSlug, rawEmail);
  }

  /**
   * RequestPasswordReset: OK whether or not the address exists. The request path only records an
   * {@link AccountMailRequested}; {@link #handleMailRequest} issues the token to an active or
   * pending user.
   */
  public void requestPasswordReset(String tenantId, String tenantSlug, String rawEmail) {
    requestMail(AccountMailKind.ACCOUNT_MAIL_KIND_PASSWORD_RESET, ThrottleAction.REQUEST_PASSWORD_RESET,
        tenantId, tenantSlug, rawEmail);
  }

  /**
   * The request path of both mail flows: throttles, then one outbox row in one transaction, the
   * same work for a known and an unknown address (timing reveals nothing). The user is looked up
   * later, by the identity consumer of that event.
   */
  private void requestMail(
      AccountMailKind kind, ThrottleAction action, String tenantId, String tenantSlug, String rawEmail) {
    Caller caller = Caller.current();
    String email = EmailAddresses.normalize(rawEmail);
    Optional<TenantsRecord> tenant = throttledTenant(action, caller, tenantId, tenantSlug, email);
    if (tenant.isEmpty()) {
      return; // tenant slugs are public (Register answers TENANT_NOT_FOUND); addresses are not
    }
    Transactions.inTransaction(dsl, tx -> {
      events.append(tx, tenant.get().getId(), "account_mail_request", ids.next(), 1, caller.actor(""),
          AccountMailRequested.newBuilder().setEmail(email).setKind(kind).build());
      return null;
    });
  }

  /**
   * Handles an {@link AccountMailRequested} in the consumer's transaction: a verification mail to
   * a pending user, or a reset mail to an active or pending one; nothing for anyone else.
   */
  public void handleMailRequest(EventContext context, AccountMailRequested request) {
    DSLContext tx = context.tx();
    UUID tenantId = UUID.fromString(context.envelope().getTenantId());
    Optional<UsersRecord> user = UserStore.findLive(tx, tenantId, request.getEmail());
    if (user.isEmpty()) {
      return;
    }
    UsersRecord u = user.get();
    dev.lattice.events.v1.Actor actor = context.envelope().getActor();
    switch (request.getKind()) {
      case ACCOUNT_MAIL_KIND_VERIFICATION -> {
        if ("PENDING_VERIFICATION".equals(u.getStatus())) {
          OneTimeTokens.Issued token = oneTimeTokens.issue(
              tx, tenantId, u.getId(), OneTimeTokens.VERIFY_EMAIL, clock.instant(), config.verificationTtl());
          events.user(tx, tenantId, u.getId(), u.getVersion(), actor,
              verificationRequested(u.getId(), u.getEmail(), u.getDisplayName(), u.getLocale(), token));
        }
      }
      case ACCOUNT_MAIL_KIND_PASSWORD_RESET -> {
        if ("ACTIVE".equals(u.getStatus()) || "PENDING_VERIFICATION".equals(u.getStatus())) {
          issueReset(tx, u, OneTimeTokens.RESET_PASSWORD, config.resetTtl(),
              PasswordResetPurpose.PASSWORD_RESET_PURPOSE_FORGOTTEN_PASSWORD, actor);
        }
      }
      default -> throw new PermanentEventException("unknown account mail kind " + request.getKind());
    }
  }

  /**
   * Counts a mail-sending request per client address and per mailbox (an unknown tenant's
   * mailbox is counted too, so the limit reveals nothing), then resolves the tenant.
   */
  private Optional<TenantsRecord> throttledTenant(
      ThrottleAction action, Caller caller, String tenantId, String tenantSlug, String email) {
    throttles.hit(action, ThrottleScope.ADDRESS, caller.address());
    Optional<TenantsRecord> tenant = UserStore.tenant(dsl, tenantId, tenantSlug);
    UUID tenantKey = tenant.map(TenantsRecord::getId).orElse(new UUID(0, 0));
    throttles.hit(action, ThrottleScope.ACCOUNT, Throttles.accountKey(tenantKey, email));
    return tenant;
  }

  /** Issues a reset (or account setup) token and its event, in {@code tx}. */
  public void issueReset(DSLContext tx, UsersRecord user, String purpose, java.time.Duration ttl,
      PasswordResetPurpose eventPurpose, dev.lattice.events.v1.Actor actor) {
    OneTimeTokens.Issued token =
        oneTimeTokens.issue(tx, user.getTenantId(), user.getId(), purpose, clock.instant(), ttl);
    events.user(tx, user.getTenantId(), user.getId(), user.getVersion(), actor,
        PasswordResetRequested.newBuilder()
            .setUserId(user.getId().toString())
            .setEmail(user.getEmail())
            .setDisplayName(user.getDisplayName())
            .setLocale(user.getLocale())
            .setToken(token.raw())
            .setExpireTime(UserStore.timestamp(token.expireTime()))
            .setPurpose(eventPurpose)
            .build());
  }

  /** ResetPassword: sets the password with a reset token and signs the user out everywhere. */
  public void resetPassword(String rawToken, String newPassword) {
    Caller caller = Caller.current();
    throttles.check(ThrottleAction.RESET_PASSWORD, ThrottleScope.ADDRESS, caller.address());
    policy.check("new_password", newPassword);
    String hash = hasher.hash(PasswordPolicy.normalize(newPassword));
    try {
      Transactions.inTransaction(dsl, tx -> {
        Instant now = clock.instant();
        OneTimeTokensRecord token = oneTimeTokens.spend(
            tx, rawToken, Set.of(OneTimeTokens.RESET_PASSWORD, OneTimeTokens.ACCOUNT_SETUP), now);
        UsersRecord user = UserStore.lock(tx, token.getTenantId(), token.getUserId());
        if (user.getDeleteTime() != null || "DISABLED".equals(user.getStatus())) {
          throw new dev.lattice.platform.errors.FailedPreconditionException(
              OneTimeTokens.TOKEN_INVALID, "the token is not valid");
        }
        user.setPasswordHash(hash);
        user.setUpdateTime(OneTimeTokens.utc(now));
        user.setVersion(user.getVersion() + 1);
        user.update(USERS.PASSWORD_HASH, USERS.UPDATE_TIME, USERS.VERSION);
        refreshTokens.revokeUser(tx, user.getId(), Optional.empty(), now, "PASSWORD_RESET");
        events.user(tx, user.getTenantId(), user.getId(), user.getVersion(), caller.actor(user.getId().toString()),
            PasswordChanged.newBuilder()
                .setUserId(user.getId().toString())
                .setEmail(user.getEmail())
                .setMethod(PasswordChangeMethod.PASSWORD_CHANGE_METHOD_RESET)
                .build());
        if ("PENDING_VERIFICATION".equals(user.getStatus())) {
          // The token reached the mailbox: that verifies it.
          markVerified(tx, user, now, caller);
        }
        return null;
      });
    } catch (dev.lattice.platform.errors.FailedPreconditionException e) {
      throttles.recordFailure(ThrottleAction.RESET_PASSWORD, ThrottleScope.ADDRESS, caller.address());
      throw e;
    }
  }

  /**
   * ChangePassword: needs the current password (a wrong one counts as a failed sign-in); revokes
   * every other session of the user.
   *
   * @param sessionFamily the caller's own refresh token family, kept signed in
   */
  public void changePassword(
      UUID tenantId, UUID userId, Optional<UUID> sessionFamily, String currentPassword, String newPassword) {
    Caller caller = Caller.current();
    UsersRecord user = UserStore.get(dsl, tenantId, userId);
    if (user.getDeleteTime() != null) {
      throw UserStore.notFound(userId);
    }
    String accountAddress =
        Throttles.accountKey(tenantId, user.getEmailNormalized()) + "|" + caller.address();
    throttles.check(ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, accountAddress);
    if (!hasher.matches(PasswordPolicy.normalize(currentPassword), user.getPasswordHash())) {
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
    Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      UsersRecord locked = UserStore.lock(tx, tenantId, userId);
      locked.setPasswordHash(hash);
      locked.setUpdateTime(OneTimeTokens.utc(now));
      locked.setVersion(locked.getVersion() + 1);
      locked.update(USERS.PASSWORD_HASH, USERS.UPDATE_TIME, USERS.VERSION);
      refreshTokens.revokeUser(tx, userId, sessionFamily, now, "PASSWORD_CHANGED");
      events.user(tx, tenantId, userId, locked.getVersion(), caller.actor(userId.toString()),
          PasswordChanged.newBuilder()
              .setUserId(userId.toString())
              .setEmail(locked.getEmail())
              .setMethod(PasswordChangeMethod.PASSWORD_CHANGE_METHOD_CHANGE)
              .build());
      return null;
    });
  }

  /** Grants a built-in role, in {@code tx}. */
  public static void grantBuiltIn(DSLContext tx, UUID tenantId, UUID userId, String role, Instant now) {
    UUID roleId =
        tx.select(ROLES.ID).from(ROLES).where(ROLES.NAME.eq(role)).and(ROLES.BUILT_IN.isTrue()).fetchSingle().value1();
    tx.insertInto(USER_ROLES)
        .set(USER_ROLES.USER_ID, userId)
        .set(USER_ROLES.ROLE_ID, roleId)
        .set(USER_ROLES.TENANT_ID, tenantId)
        .set(USER_ROLES.GRANT_TIME, OneTimeTokens.utc(now))
        .onConflictDoNothing()
        .execute();
  }

  private void markVerified(DSLContext tx, UsersRecord user, Instant now, Caller caller) {
    OffsetDateTime at = OneTimeTokens.utc(now);
    user.setStatus("ACTIVE");
    user.setVerifyTime(at);
    user.setUpdateTime(at);
    user.setVersion(user.getVersion() + 1);
    user.update(USERS.STATUS, USERS.VERIFY_TIME, USERS.UPDATE_TIME, USERS.VERSION);
    events.user(tx, user.getTenantId(), user.getId(), user.getVersion(), caller.actor(user.getId().toString()),
        EmailVerified.newBuilder().setUserId(user.getId().toString()).setEmail(user.getEmail()).build());
  }

  private static EmailVerificationRequested verificationRequested(
      UUID userId, String email, String displayName, String locale, OneTimeTokens.Issued token) {
    return EmailVerificationRequested.newBuilder()
        .setUserId(userId.toString())
        .setEmail(email)
        .setDisplayName(displayName)
        .setLocale(locale)
        .setToken(token.raw())
        .setExpireTime(UserStore.timestamp(token.expireTime()))
        .build();
  }
}
