package dev.lattice.notifications.inbox;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * One in-app notification, as the inbox keeps it. Immutable.
 *
 * @param id its UUIDv7 id (the inbox lists newest first by it)
 * @param tenantId the recipient's tenant
 * @param recipientId the user it is for
 * @param type the notification type's key ({@code order_shipped})
 * @param title the rendered title, at most 200 characters
 * @param body the rendered body, at most 5000 characters
 * @param createTime when it arrived
 * @param readTime when its owner marked it read; empty while unread
 */
public record InboxMessage(
    UUID id,
    UUID tenantId,
    UUID recipientId,
    String type,
    String title,
    String body,
    OffsetDateTime createTime,
    Optional<OffsetDateTime> readTime) {}
