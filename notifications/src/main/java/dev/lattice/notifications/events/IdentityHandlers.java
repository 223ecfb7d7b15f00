package dev.lattice.notifications.events;

import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.identity.v1.UserDeleted;
import dev.lattice.identity.v1.UserRegistered;
import dev.lattice.notifications.delivery.DeliveryPlanner;
import dev.lattice.notifications.delivery.Trigger;
import dev.lattice.notifications.directory.Recipient;
import dev.lattice.notifications.directory.RecipientStore;
import dev.lattice.notifications.messages.NotificationType;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Identity's events: they feed the recipient directory (address, name, locale, deletion) and
 * trigger the welcome message and the security messages. A tenant's initial admin, the platform
 * administrator included, never registers: it enters the directory from TenantCreated. The raw
 * verification and reset tokens go into the message values only (the link and the token shown to
 * the user), never into the directory, the logs or an exception.
 */
public final class IdentityHandlers {

  /**
   * The user version TenantCreated describes its initial admin at: the admin's row as inserted with
   * the tenant (identity's users start at version 1). The envelope's aggregate version is the
   * tenant's and says nothing about the user.
   */
  private static final long INITIAL_ADMIN_USER_VERSION = 1;

  private final RecipientStore directory;
  private final DeliveryPlanner planner;
  private final String publicUrl;

  /** Handlers linking to {@code publicUrl} (no trailing slash needed). */
  public IdentityHandlers(RecipientStore directory, DeliveryPlanner planner, String publicUrl) {
    this.directory = directory;
    this.planner = planner;
    this.publicUrl =
        publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  /** UserRegistered: records the recipient and sends the welcome message. */
  public EventHandler<UserRegistered> userRegistered() {
    return (context, event) -> {
      Recipient recipient =
          remember(
              context,
              event.getUserId(),
              event.getEmail(),
              event.getDisplayName(),
              event.getLocale());
      planner.plan(
          context.tx(),
          context.batch(),
          new Trigger(
              recipient.tenantId(),
              recipient.userId(),
              NotificationType.WELCOME,
              recipient.userId().toString(),
              Map.of(),
              Optional.empty(),
              EventFacts.eventId(context),
              context.envelope().getType()));
    };
  }

  /** EmailVerificationRequested: the verification email with its link, on the priority lane. */
  public EventHandler<EmailVerificationRequested> verificationRequested() {
    return (context, event) -> {
      Recipient recipient =
          remember(
              context,
              event.getUserId(),
              event.getEmail(),
              event.getDisplayName(),
              event.getLocale());
      Map<String, String> values =
          Map.of(
              "token", event.getToken(),
              "link", publicUrl + "/verify-email?token=" + encode(event.getToken()),
              "expire_time", Instant.ofEpochSecond(event.getExpireTime().getSeconds()).toString());
      planner.plan(
          context.tx(),
          context.batch(),
          new Trigger(
              recipient.tenantId(),
              recipient.userId(),
              NotificationType.EMAIL_VERIFICATION,
              context.envelope().getEventId(),
              values,
              Optional.of(recipient),
              EventFacts.eventId(context),
              context.envelope().getType()));
    };
  }

  /**
   * PasswordResetRequested: the reset (or account set-up) email with its link, on the priority
   * lane.
   */
  public EventHandler<PasswordResetRequested> passwordResetRequested() {
    return (context, event) -> {
      Recipient recipient =
          remember(
              context,
              event.getUserId(),
              event.getEmail(),
              event.getDisplayName(),
              event.getLocale());
      Map<String, String> values =
          Map.of(
              "token",
              event.getToken(),
              "link",
              publicUrl + "/reset-password?token=" + encode(event.getToken()),
              "expire_time",
              Instant.ofEpochSecond(event.getExpireTime().getSeconds()).toString(),
              "purpose_setup",
              event.getPurpose() == PasswordResetPurpose.PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP
                  ? "true"
                  : "");
      planner.plan(
          context.tx(),
          context.batch(),
          new Trigger(
              recipient.tenantId(),
              recipient.userId(),
              NotificationType.PASSWORD_RESET,
              context.envelope().getEventId(),
              values,
              Optional.of(recipient),
              EventFacts.eventId(context),
              context.envelope().getType()));
    };
  }

  /**
   * TenantCreated: remembers the tenant's initial admin, so that order and payment events about
   * them find an address. Nothing is sent (a CreateTenant admin gets the account set-up mail from
   * PasswordResetRequested). The admin is recorded as of user version 1, so this event never
   * replaces what a later event about the user recorded, whichever arrives first. A tenant without
   * an admin, or an event written before identity sent the admin's address, changes nothing.
   */
  public EventHandler<TenantCreated> tenantCreated() {
    return (context, event) -> {
      if (event.getInitialAdminUserId().isEmpty() || event.getInitialAdminEmail().isEmpty()) {
        return;
      }
      remember(
          context,
          event.getInitialAdminUserId(),
          event.getInitialAdminEmail(),
          event.getInitialAdminDisplayName(),
          event.getInitialAdminLocale(),
          INITIAL_ADMIN_USER_VERSION);
    };
  }

  /** UserDeleted: nothing more is sent to the user. */
  public EventHandler<UserDeleted> userDeleted() {
    return (context, event) ->
        directory.markDeleted(
            context.tx(),
            EventFacts.tenant(context),
            EventIds.uuid("user_id", event.getUserId()),
            context.envelope().getAggregateVersion(),
            EventFacts.occurred(context));
  }

  /** Records the user as of the event's aggregate version, which for these events is the user's. */
  private Recipient remember(
      EventContext context, String userId, String email, String name, String locale) {
    return remember(context, userId, email, name, locale, context.envelope().getAggregateVersion());
  }

  private Recipient remember(
      EventContext context,
      String userId,
      String email,
      String name,
      String locale,
      long userVersion) {
    UUID tenant = EventFacts.tenant(context);
    Recipient recipient =
        new Recipient(
            EventIds.uuid("user_id", userId),
            tenant,
            email,
            name,
            locale.isEmpty() ? "en" : locale);
    directory.upsert(context.tx(), recipient, userVersion, EventFacts.occurred(context));
    return recipient;
  }

  private static String encode(String token) {
    return URLEncoder.encode(token, StandardCharsets.UTF_8);
  }
}
