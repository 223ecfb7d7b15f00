package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;
import static dev.lattice.notifications.store.jooq.Tables.DELIVERY_ATTEMPTS;

import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.directory.Recipient;
import dev.lattice.notifications.directory.RecipientStore;
import dev.lattice.notifications.inbox.Inbox;
import dev.lattice.notifications.messages.NotificationType;
import dev.lattice.notifications.preferences.Preferences;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.notifications.templates.TemplateCatalog;
import dev.lattice.notifications.templates.TemplateRenderer;
import dev.lattice.platform.consumer.TransientEventException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Turns a {@link Trigger} into deliveries, inside the consuming event's transaction: one per
 * channel the preferences allow (security messages: EMAIL only, preferences ignored), each
 * rendered from the recipient's locale and keyed {@code recipient:channel:type:object}, so that a
 * second event reporting the same fact adds nothing (unique constraint, insert-if-absent). In-app
 * messages are delivered right here (the inbox row is the delivery); the others wait for the
 * dispatcher. A channel the user turned off is recorded SKIPPED; so is one without a template.
 */
public final class DeliveryPlanner {

  /** ChannelNames in the order they are planned. */
  private static final List<String> CHANNELS = List.of("EMAIL", "IN_APP", "SMS", "PUSH");

  /** The provider name of in-app deliveries. */
  static final String INBOX = "inbox";

  private final RecipientStore directory;
  private final Preferences preferences;
  private final TemplateCatalog templates;
  private final TemplateRenderer renderer;
  private final Inbox inbox;
  private final DeliveryEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public DeliveryPlanner(
      RecipientStore directory, Preferences preferences, TemplateCatalog templates,
      TemplateRenderer renderer, Inbox inbox, DeliveryEvents events, Clock clock) {
    this.directory = directory;
    this.preferences = preferences;
    this.templates = templates;
    this.renderer = renderer;
    this.inbox = inbox;
    this.events = events;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /**
   * Plans the deliveries of {@code trigger} in {@code tx}.
   *
   * @throws TransientEventException if the recipient is not in the directory yet (identity's
   *     UserRegistered may arrive after an order event; the event is retried)
   */
  public void plan(DSLContext tx, Trigger trigger) {
    Recipient recipient = trigger.addressedTo()
        .or(() -> directory.find(tx, trigger.tenantId(), trigger.recipientId()))
        .orElseThrow(() -> new TransientEventException(
            "recipient " + trigger.recipientId() + " is not known yet"));
    Map<String, String> values = new HashMap<>(trigger.values());
    values.put("name", recipient.displayName());
    values.put("email", recipient.email());
    NotificationType type = trigger.type();
    for (String channel : CHANNELS) {
      if (type.security() && !channel.equals("EMAIL")) {
        continue;
      }
      boolean wanted = type.security()
          || preferences.allows(tx, trigger.tenantId(), recipient.userId(), type.key(), channel);
      planChannel(tx, trigger, recipient, channel, wanted, values);
    }
  }

  private void planChannel(
      DSLContext tx, Trigger trigger, Recipient recipient, String channel, boolean wanted,
      Map<String, String> values) {
    NotificationType type = trigger.type();
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    DeliveriesRecord row = tx.newRecord(DELIVERIES);
    row.setId(ids.next());
    row.setTenantId(trigger.tenantId());
    row.setRecipientId(recipient.userId());
    row.setChannel(channel);
    row.setTemplateKey(type.key());
    row.setLocale(recipient.locale());
    row.setDedupeKey(recipient.userId() + ":" + channel + ":" + type.key() + ":" + trigger.objectId());
    row.setPriority(type.priority().name());
    row.setDestinationHint(hint(channel, recipient));
    row.setSourceEventId(trigger.eventId());
    row.setSourceEventType(trigger.eventType());
    row.setCreateTime(now);
    row.setUpdateTime(now);
    row.setAttemptCount(0);
    row.setLastErrorCode("");
    row.setLastErrorMessage("");
    row.setVersion(1L);
    Optional<TemplateCatalog.Resolved> template = wanted
        ? templates.resolve(tx, trigger.tenantId(), type.key(), recipient.locale(), channel)
        : Optional.empty();
    if (template.isEmpty()) {
      row.setStatus(DeliveryStatuses.SKIPPED);
      row.setLastErrorCode(wanted ? "no_template" : "preference_off");
      row.setLastErrorMessage(wanted ? "no template for this channel" : "the user turned this channel off");
      insertIfAbsent(tx, row);
      return;
    }
    TemplateCatalog.Resolved resolved = template.get();
    row.setLocale(resolved.locale());
    row.setTemplateVersion(resolved.text().version() == 0 ? null : resolved.text().version());
    String subject = renderer.render(resolved.text().subject(), values);
    String body = renderer.render(resolved.text().body(), values);
    if (channel.equals("IN_APP")) {
      deliverToInbox(tx, row, subject, body, now);
      return;
    }
    row.setStatus(DeliveryStatuses.PENDING);
    row.setDestination(channel.equals("EMAIL") ? recipient.email() : recipient.userId().toString());
    row.setRenderedSubject(subject);
    row.setRenderedBody(body);
    row.setNextAttemptTime(now);
    insertIfAbsent(tx, row);
  }

  private void deliverToInbox(DSLContext tx, DeliveriesRecord row, String title, String body, OffsetDateTime now) {
    row.setStatus(DeliveryStatuses.SENT);
    row.setAttemptCount(1);
    row.setProvider(INBOX);
    row.setSentTime(now);
    if (!insertIfAbsent(tx, row)) {
      return;
    }
    UUID notificationId = ids.next();
    inbox.add(tx, notificationId, row.getTenantId(), row.getRecipientId(), row.getTemplateKey(), title, body);
    row.setNotificationId(notificationId);
    row.setProviderMessageId(notificationId.toString());
    row.update();
    tx.insertInto(DELIVERY_ATTEMPTS)
        .set(DELIVERY_ATTEMPTS.DELIVERY_ID, row.getId())
        .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, 1)
        .set(DELIVERY_ATTEMPTS.TENANT_ID, row.getTenantId())
        .set(DELIVERY_ATTEMPTS.PROVIDER, INBOX)
        .set(DELIVERY_ATTEMPTS.START_TIME, now)
        .set(DELIVERY_ATTEMPTS.FINISH_TIME, now)
        .set(DELIVERY_ATTEMPTS.OUTCOME, "SENT")
        .set(DELIVERY_ATTEMPTS.PROVIDER_MESSAGE_ID, notificationId.toString())
        .execute();
    events.sent(tx, row);
  }

  /** Inserts {@code row} unless its dedupe key exists; true if inserted. */
  private static boolean insertIfAbsent(DSLContext tx, DeliveriesRecord row) {
    int inserted = tx.insertInto(DELIVERIES)
        .set(row)
        .onConflict(DELIVERIES.TENANT_ID, DELIVERIES.DEDUPE_KEY)
        .doNothing()
        .execute();
    if (inserted == 1) {
      row.changed(false);
    }
    return inserted == 1;
  }

  /** What ListDeliveries shows instead of the address: {@code a***@example.com}. */
  private static String hint(String channel, Recipient recipient) {
    if (!channel.equals("EMAIL")) {
      return channel.equals("IN_APP") ? "inbox" : "user device";
    }
    String email = recipient.email();
    int at = email.indexOf('@');
    return at <= 0 ? "***" : email.charAt(0) + "***" + email.substring(at);
  }
}
