package dev.lattice.notifications.delivery;

import dev.lattice.notifications.directory.Recipient;
import dev.lattice.notifications.directory.RecipientStore;
import dev.lattice.notifications.events.NotificationsEvents;
import dev.lattice.notifications.inbox.Inbox;
import dev.lattice.notifications.messages.NotificationType;
import dev.lattice.notifications.preferences.Preferences;
import dev.lattice.notifications.templates.TemplateCatalog;
import dev.lattice.notifications.templates.TemplateRenderer;
import dev.lattice.platform.consumer.TransactionBatch;
import dev.lattice.platform.consumer.TransientEventException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Turns a {@link Trigger} into deliveries, inside the consuming event's transaction: one per
 * channel the preferences allow (security messages: EMAIL only, preferences ignored), each rendered
 * from the recipient's locale and keyed {@code recipient:channel:type:object}, so that a second
 * event reporting the same fact adds nothing (unique constraint, insert-if-absent). In-app messages
 * are delivered right here (the inbox row is the delivery); the others wait for the dispatcher. A
 * channel the user turned off is recorded SKIPPED; so is one without a template.
 *
 * <p>Within one consuming transaction (a {@link TransactionBatch}, up to a whole batch of events) a
 * template is looked up once per tenant, type, locale and channel, and the deliveries whose insert
 * answers nothing the planner needs (email, SMS and push, sent or skipped) are inserted together
 * just before the commit, in one JDBC batch: in the sustained saga notifications' OrderPaid
 * consumer was the first stage to fall behind, spending each event on about fifteen round trips one
 * after the other, five of them these. The in-app delivery is inserted at once, since whether it
 * went in decides whether the inbox gets a message. Thread-safe.
 */
public final class DeliveryPlanner {

  /** ChannelNames in the order they are planned. */
  private static final List<String> CHANNELS = List.of("EMAIL", "IN_APP", "SMS", "PUSH");

  /** The provider name of in-app deliveries. */
  static final String INBOX = "inbox";

  private final DeliveryStore deliveries = new DeliveryStore();
  private final AttemptStore attempts = new AttemptStore();
  private final RecipientStore directory;
  private final Preferences preferences;
  private final TemplateCatalog templates;
  private final TemplateRenderer renderer;
  private final Inbox inbox;
  private final NotificationsEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public DeliveryPlanner(
      RecipientStore directory,
      Preferences preferences,
      TemplateCatalog templates,
      TemplateRenderer renderer,
      Inbox inbox,
      NotificationsEvents events,
      Clock clock) {
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
   * Plans the deliveries of {@code trigger} in {@code tx}, the transaction of {@code batch}.
   *
   * @throws TransientEventException if the recipient is not in the directory yet (identity's
   *     UserRegistered may arrive after an order event; the event is retried)
   */
  public void plan(DSLContext tx, TransactionBatch batch, Trigger trigger) {
    Recipient recipient =
        trigger
            .addressedTo()
            .or(() -> directory.find(tx, trigger.tenantId(), trigger.recipientId()))
            .orElseThrow(
                () ->
                    new TransientEventException(
                        "recipient " + trigger.recipientId() + " is not known yet"));
    Map<String, String> values = new HashMap<>(trigger.values());
    values.put("name", recipient.displayName());
    values.put("email", recipient.email());
    NotificationType type = trigger.type();
    Set<String> allowed =
        type.security()
            ? Set.of()
            : preferences.allowedChannels(
                tx, trigger.tenantId(), recipient.userId(), type.key(), CHANNELS);
    for (String channel : CHANNELS) {
      if (type.security() && !channel.equals("EMAIL")) {
        continue;
      }
      boolean wanted = type.security() || allowed.contains(channel);
      planChannel(tx, batch, trigger, recipient, channel, wanted, values);
    }
  }

  private void planChannel(
      DSLContext tx,
      TransactionBatch batch,
      Trigger trigger,
      Recipient recipient,
      String channel,
      boolean wanted,
      Map<String, String> values) {
    NotificationType type = trigger.type();
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    Delivery planned =
        Delivery.planned(
            ids.next(),
            trigger.tenantId(),
            recipient.userId(),
            channel,
            type.key(),
            recipient.locale(),
            recipient.userId() + ":" + channel + ":" + type.key() + ":" + trigger.objectId(),
            type.priority(),
            hint(channel, recipient),
            trigger.eventId(),
            trigger.eventType(),
            now);
    Optional<TemplateCatalog.Resolved> template =
        wanted
            ? batch.shared(
                Arrays.asList(
                    TEMPLATE, trigger.tenantId(), type.key(), recipient.locale(), channel),
                () ->
                    templates.resolve(
                        tx, trigger.tenantId(), type.key(), recipient.locale(), channel))
            : Optional.empty();
    if (template.isEmpty()) {
      beforeCommit(tx, batch)
          .add(
              wanted
                  ? planned.skipped("no_template", "no template for this channel")
                  : planned.skipped("preference_off", "the user turned this channel off"));
      return;
    }
    TemplateCatalog.Resolved resolved = template.get();
    Long version = resolved.text().version() == 0 ? null : resolved.text().version();
    String subject = renderer.render(resolved.text().subject(), values);
    String body = renderer.render(resolved.text().body(), values);
    if (channel.equals("IN_APP")) {
      deliverToInbox(tx, planned.sentAtOnce(resolved.locale(), version, INBOX), subject, body);
      return;
    }
    String destination =
        channel.equals("EMAIL") ? recipient.email() : recipient.userId().toString();
    beforeCommit(tx, batch)
        .add(planned.rendered(resolved.locale(), version, destination, subject, body));
  }

  /**
   * The deliveries {@code batch}'s transaction inserts just before its commit, in planning order;
   * the first call of a batch registers the insert. The insert runs across tenants (decision 0018),
   * since one batch's events may be of several tenants; each delivery carries its event's tenant.
   */
  private List<Delivery> beforeCommit(DSLContext tx, TransactionBatch batch) {
    return batch.shared(
        PENDING,
        () -> {
          List<Delivery> pending = new ArrayList<>();
          batch.beforeCommitAcrossTenants(() -> deliveries.insertAllIfAbsent(tx, pending));
          return pending;
        });
  }

  /** The keys of the planner's values among a batch's shared ones. */
  private static final Object TEMPLATE = new Object();

  private static final Object PENDING = new Object();

  private void deliverToInbox(DSLContext tx, Delivery sent, String title, String body) {
    if (!deliveries.insertIfAbsent(tx, sent)) {
      return;
    }
    UUID notificationId = ids.next();
    inbox.add(
        tx, notificationId, sent.tenantId(), sent.recipientId(), sent.templateKey(), title, body);
    deliveries.attachNotification(tx, sent.id(), notificationId);
    attempts.recordSentAtOnce(
        tx,
        sent.id(),
        sent.tenantId(),
        sent.recipientId(),
        INBOX,
        notificationId.toString(),
        sent.sentTime());
    events.sent(tx, sent.inInbox(notificationId));
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
