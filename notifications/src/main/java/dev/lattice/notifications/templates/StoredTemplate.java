package dev.lattice.notifications.templates;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A tenant's own template for one key, locale and channel, as stored. Immutable.
 *
 * @param id its id
 * @param tenantId the tenant that wrote it
 * @param key the notification type's key ({@code order_shipped})
 * @param locale BCP 47 language tag
 * @param channel the stored channel name ({@code EMAIL})
 * @param subject subject or title; empty for SMS
 * @param body the body
 * @param createTime when it was first written
 * @param updateTime when it was last replaced
 * @param version 1 when created, one more per replacement
 */
public record StoredTemplate(
    UUID id,
    UUID tenantId,
    String key,
    String locale,
    String channel,
    String subject,
    String body,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    long version) {

  /** This template with a new text, one version on, replaced at {@code now}. */
  public StoredTemplate replacedBy(String newSubject, String newBody, OffsetDateTime now) {
    return new StoredTemplate(
        id, tenantId, key, locale, channel, newSubject, newBody, createTime, now, version + 1);
  }
}
