package dev.lattice.identity.accounts;

import dev.lattice.events.v1.Actor;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.StoredTenant;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.TenantStore;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.throttle.ThrottleAction;
import dev.lattice.identity.throttle.ThrottleScope;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.v1.AccountMailKind;
import dev.lattice.identity.v1.AccountMailRequested;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.grpc.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The mails of the account flows: verification, password reset and account setup, each a single-use
 * token and the event that carries it to the mailbox. ResendVerification and RequestPasswordReset
 * only record an {@link AccountMailRequested} on the request path, the same work for a known and an
 * unknown address (timing reveals nothing); identity's own consumer later calls {@link
 * #sendVerification} or {@link #sendReset}, which look the user up. Thread-safe.
 */
public final class AccountMail {

  private final DSLContext dsl;
  private final Throttles throttles;
  private final IdentityEvents events;
  private final OneTimeTokens oneTimeTokens;
  private final UuidV7Generator ids;
  private final Duration verificationTtl;
  private final Duration resetTtl;
  private final Clock clock;

  /**
   * @param verificationTtl lifetime of an email verification token
   * @param resetTtl lifetime of a password reset token
   */
  public AccountMail(
      DSLContext dsl,
      Throttles throttles,
      IdentityEvents events,
      Duration verificationTtl,
      Duration resetTtl,
      Clock clock) {
    this.dsl = dsl;
    this.throttles = throttles;
    this.events = events;
    this.ids = new UuidV7Generator(clock);
    this.oneTimeTokens = new OneTimeTokens(ids);
    this.verificationTtl = verificationTtl;
    this.resetTtl = resetTtl;
    this.clock = clock;
  }

  /**
   * ResendVerification: OK whether or not the address exists. The request path only records an
   * {@link AccountMailRequested}; {@link #sendVerification} sends the mail to a pending user.
   */
  public void resendVerification(String tenantId, String tenantSlug, String rawEmail) {
    requestMail(
        AccountMailKind.ACCOUNT_MAIL_KIND_VERIFICATION,
        ThrottleAction.RESEND_VERIFICATION,
        tenantId,
        tenantSlug,
        rawEmail);
  }

  /**
   * RequestPasswordReset: OK whether or not the address exists. The request path only records an
   * {@link AccountMailRequested}; {@link #sendReset} issues the token to an active or pending user.
   */
  public void requestPasswordReset(String tenantId, String tenantSlug, String rawEmail) {
    requestMail(
        AccountMailKind.ACCOUNT_MAIL_KIND_PASSWORD_RESET,
        ThrottleAction.REQUEST_PASSWORD_RESET,
        tenantId,
        tenantSlug,
        rawEmail);
  }

  /** A requested verification mail, in {@code tx}: sent only to a pending user of the address. */
  public void sendVerification(DSLContext tx, UUID tenantId, String email, Actor actor) {
    Optional<StoredUser> user = UserStore.findLive(tx, tenantId, email);
    if (user.isPresent() && "PENDING_VERIFICATION".equals(user.get().status())) {
      issueVerification(tx, MailRecipient.of(user.get()), actor, clock.instant());
    }
  }

  /**
   * A requested reset mail, in {@code tx}: sent only to an active or pending user of the address.
   */
  public void sendReset(DSLContext tx, UUID tenantId, String email, Actor actor) {
    Optional<StoredUser> user = UserStore.findLive(tx, tenantId, email);
    if (user.isPresent()
        && ("ACTIVE".equals(user.get().status())
            || "PENDING_VERIFICATION".equals(user.get().status()))) {
      issueReset(
          tx,
          user.get(),
          OneTimeTokens.RESET_PASSWORD,
          resetTtl,
          PasswordResetPurpose.PASSWORD_RESET_PURPOSE_FORGOTTEN_PASSWORD,
          actor);
    }
  }

  /** The account setup mail of a tenant's initial admin, in {@code tx}. */
  public void sendAccountSetup(DSLContext tx, StoredUser user, Duration ttl, Actor actor) {
    issueReset(
        tx,
        user,
        OneTimeTokens.ACCOUNT_SETUP,
        ttl,
        PasswordResetPurpose.PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP,
        actor);
  }

  /** Issues a verification token and its event, in {@code tx}. */
  void issueVerification(DSLContext tx, MailRecipient to, Actor actor, Instant now) {
    OneTimeTokens.Issued token =
        oneTimeTokens.issue(
            tx, to.tenantId(), to.userId(), OneTimeTokens.VERIFY_EMAIL, now, verificationTtl);
    events.user(
        tx,
        to.tenantId(),
        to.userId(),
        to.version(),
        actor,
        EmailVerificationRequested.newBuilder()
            .setUserId(to.userId().toString())
            .setEmail(to.email())
            .setDisplayName(to.displayName())
            .setLocale(to.locale())
            .setToken(token.raw())
            .setExpireTime(Times.timestamp(token.expireTime()))
            .build());
  }

  /**
   * The request path of both mail flows: throttles, then one outbox row in one transaction, the
   * same work for a known and an unknown address (timing reveals nothing). The user is looked up
   * later, by the identity consumer of that event.
   */
  private void requestMail(
      AccountMailKind kind,
      ThrottleAction action,
      String tenantId,
      String tenantSlug,
      String rawEmail) {
    Caller caller = Caller.current();
    String email = EmailAddresses.normalize(rawEmail);
    Optional<StoredTenant> tenant = throttledTenant(action, caller, tenantId, tenantSlug, email);
    if (tenant.isEmpty()) {
      return; // tenant slugs are public (Register answers TENANT_NOT_FOUND); addresses are not
    }
    Transactions.inTenantTransaction(
        dsl,
        tenant.get().id(),
        tx -> {
          events.append(
              tx,
              tenant.get().id(),
              "account_mail_request",
              ids.next(),
              1,
              caller.actor(""),
              AccountMailRequested.newBuilder().setEmail(email).setKind(kind).build());
          return null;
        });
  }

  /**
   * Counts a mail-sending request per client address and per mailbox (an unknown tenant's mailbox
   * is counted too, so the limit reveals nothing), then resolves the tenant.
   */
  private Optional<StoredTenant> throttledTenant(
      ThrottleAction action, Caller caller, String tenantId, String tenantSlug, String email) {
    throttles.hit(action, ThrottleScope.ADDRESS, caller.address());
    Optional<StoredTenant> tenant = TenantStore.find(dsl, tenantId, tenantSlug);
    UUID tenantKey = tenant.map(StoredTenant::id).orElse(new UUID(0, 0));
    throttles.hit(action, ThrottleScope.ACCOUNT, Throttles.accountKey(tenantKey, email));
    return tenant;
  }

  /** Issues a reset (or account setup) token and its event, in {@code tx}. */
  private void issueReset(
      DSLContext tx,
      StoredUser user,
      String purpose,
      Duration ttl,
      PasswordResetPurpose eventPurpose,
      Actor actor) {
    OneTimeTokens.Issued token =
        oneTimeTokens.issue(tx, user.tenantId(), user.id(), purpose, clock.instant(), ttl);
    events.user(
        tx,
        user.tenantId(),
        user.id(),
        user.version(),
        actor,
        PasswordResetRequested.newBuilder()
            .setUserId(user.id().toString())
            .setEmail(user.email())
            .setDisplayName(user.displayName())
            .setLocale(user.locale())
            .setToken(token.raw())
            .setExpireTime(Times.timestamp(token.expireTime()))
            .setPurpose(eventPurpose)
            .build());
  }
}
