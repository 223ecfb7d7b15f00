package dev.lattice.notifications.delivery;

import dev.lattice.notifications.messages.Priority;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One message on one channel to one recipient, as delivery keeps it (a deliveries row). The address
 * and the rendered text are kept only while it is open (PENDING, RETRYING), so that retries send
 * exactly the same thing. Immutable; a component documented as null may be null.
 *
 * @param id its UUIDv7 id
 * @param tenantId the recipient's tenant
 * @param recipientId the user
 * @param channel the stored channel name ({@code EMAIL})
 * @param templateKey the notification type's key
 * @param locale the locale it was rendered in
 * @param templateVersion the stored template's version it rendered; null for a shipped default or
 *     when nothing was rendered
 * @param dedupeKey {@code recipient:channel:type:object}, unique per tenant
 * @param priority its dispatcher lane
 * @param destination the address; null once terminal or when there is none
 * @param destinationHint what ListDeliveries shows instead of the address
 * @param renderedSubject the rendered subject; null once terminal or when there is none
 * @param renderedBody the rendered body; null once terminal or when there is none
 * @param sourceEventId the event that caused it
 * @param sourceEventType that event's type
 * @param status one of {@link DeliveryStatuses}
 * @param attemptCount attempts so far
 * @param lastErrorCode the last failure's or deferral's code, or empty
 * @param lastErrorMessage the last failure's or deferral's message, or empty
 * @param provider the provider of the last attempt; null before one
 * @param providerMessageId the provider's id of the sent message; null until sent
 * @param notificationId the inbox row of an in-app delivery; null otherwise
 * @param createTime when it was planned
 * @param updateTime when it last changed
 * @param sentTime when a provider took it; null unless SENT
 * @param nextAttemptTime when the dispatcher picks it up next (or its lease ends); null unless open
 * @param version 1 when planned, one more per change
 */
public record Delivery(
    UUID id,
    UUID tenantId,
    UUID recipientId,
    String channel,
    String templateKey,
    String locale,
    Long templateVersion,
    String dedupeKey,
    Priority priority,
    String destination,
    String destinationHint,
    String renderedSubject,
    String renderedBody,
    UUID sourceEventId,
    String sourceEventType,
    String status,
    int attemptCount,
    String lastErrorCode,
    String lastErrorMessage,
    String provider,
    String providerMessageId,
    UUID notificationId,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime sentTime,
    OffsetDateTime nextAttemptTime,
    long version) {

  /**
   * A delivery just planned, not yet rendered nor decided: PENDING, no attempt, version 1, created
   * and updated {@code now}.
   */
  public static Delivery planned(
      UUID id,
      UUID tenantId,
      UUID recipientId,
      String channel,
      String templateKey,
      String locale,
      String dedupeKey,
      Priority priority,
      String destinationHint,
      UUID sourceEventId,
      String sourceEventType,
      OffsetDateTime now) {
    return new Delivery(
        id,
        tenantId,
        recipientId,
        channel,
        templateKey,
        locale,
        null,
        dedupeKey,
        priority,
        null,
        destinationHint,
        null,
        null,
        sourceEventId,
        sourceEventType,
        DeliveryStatuses.PENDING,
        0,
        "",
        "",
        null,
        null,
        null,
        now,
        now,
        null,
        null,
        1L);
  }

  /** This delivery SKIPPED on purpose, for {@code code} ({@code message} says why). */
  public Delivery skipped(String code, String message) {
    Copy next = new Copy(this);
    next.status = DeliveryStatuses.SKIPPED;
    next.lastErrorCode = code;
    next.lastErrorMessage = message;
    return next.delivery();
  }

  /**
   * This delivery rendered in {@code renderedLocale} from template version {@code renderedVersion}
   * (null for a shipped default), waiting for the dispatcher from its creation on.
   */
  public Delivery rendered(
      String renderedLocale, Long renderedVersion, String address, String subject, String body) {
    Copy next = new Copy(this);
    next.locale = renderedLocale;
    next.templateVersion = renderedVersion;
    next.destination = address;
    next.renderedSubject = subject;
    next.renderedBody = body;
    next.status = DeliveryStatuses.PENDING;
    next.nextAttemptTime = createTime;
    return next.delivery();
  }

  /**
   * This delivery SENT at its creation by {@code by} in one attempt, rendered in {@code
   * renderedLocale} from template version {@code renderedVersion}; its text goes elsewhere (the
   * inbox).
   */
  public Delivery sentAtOnce(String renderedLocale, Long renderedVersion, String by) {
    Copy next = new Copy(this);
    next.locale = renderedLocale;
    next.templateVersion = renderedVersion;
    next.status = DeliveryStatuses.SENT;
    next.attemptCount = 1;
    next.provider = by;
    next.sentTime = createTime;
    return next.delivery();
  }

  /**
   * This delivery with its inbox row {@code notification}, which is also the provider's message id.
   */
  public Delivery inInbox(UUID notification) {
    Copy next = new Copy(this);
    next.providerMessageId = notification.toString();
    next.notificationId = notification;
    return next.delivery();
  }

  /** Keeps the address and the text (single-use links) out of logs. */
  @Override
  public String toString() {
    return "Delivery[" + id + " " + channel + " " + templateKey + " " + status + "]";
  }

  /** A delivery being changed: the fields a change may touch, the rest read from the original. */
  private static final class Copy {
    private final Delivery from;
    private String locale;
    private Long templateVersion;
    private String destination;
    private String renderedSubject;
    private String renderedBody;
    private String status;
    private int attemptCount;
    private String lastErrorCode;
    private String lastErrorMessage;
    private String provider;
    private String providerMessageId;
    private UUID notificationId;
    private OffsetDateTime sentTime;
    private OffsetDateTime nextAttemptTime;

    Copy(Delivery from) {
      this.from = from;
      locale = from.locale;
      templateVersion = from.templateVersion;
      destination = from.destination;
      renderedSubject = from.renderedSubject;
      renderedBody = from.renderedBody;
      status = from.status;
      attemptCount = from.attemptCount;
      lastErrorCode = from.lastErrorCode;
      lastErrorMessage = from.lastErrorMessage;
      provider = from.provider;
      providerMessageId = from.providerMessageId;
      notificationId = from.notificationId;
      sentTime = from.sentTime;
      nextAttemptTime = from.nextAttemptTime;
    }

    Delivery delivery() {
      return new Delivery(
          from.id,
          from.tenantId,
          from.recipientId,
          from.channel,
          from.templateKey,
          locale,
          templateVersion,
          from.dedupeKey,
          from.priority,
          destination,
          from.destinationHint,
          renderedSubject,
          renderedBody,
          from.sourceEventId,
          from.sourceEventType,
          status,
          attemptCount,
          lastErrorCode,
          lastErrorMessage,
          provider,
          providerMessageId,
          notificationId,
          from.createTime,
          from.updateTime,
          sentTime,
          nextAttemptTime,
          from.version);
    }
  }
}
