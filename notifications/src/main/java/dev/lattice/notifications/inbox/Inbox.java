package dev.lattice.notifications.inbox;

import static dev.lattice.notifications.store.jooq.Tables.NOTIFICATIONS;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.store.jooq.tables.records.NotificationsRecord;
import dev.lattice.notifications.v1.ListNotificationsRequest;
import dev.lattice.notifications.v1.ListNotificationsResponse;
import dev.lattice.notifications.v1.MarkReadRequest;
import dev.lattice.notifications.v1.MarkReadResponse;
import dev.lattice.notifications.v1.Notification;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * The in-app inbox: notifications rows written by the dispatcher, listed newest first with keyset
 * paging on the UUIDv7 id, and marked read by their owner. Another user's or another tenant's
 * notification is NOT_FOUND. Thread-safe.
 */
public final class Inbox {

  /** Reason of an id that is not one of the caller's notifications. */
  public static final String NOTIFICATION_NOT_FOUND = "NOTIFICATION_NOT_FOUND";

  private final DSLContext dsl;
  private final PageTokens pageTokens;
  private final Clock clock;

  public Inbox(DSLContext dsl, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
    this.clock = clock;
  }

  /** Adds a notification for {@code recipientId} in {@code tx}. */
  public void add(DSLContext tx, UUID id, UUID tenantId, UUID recipientId, String type, String title, String body) {
    tx.insertInto(NOTIFICATIONS)
        .set(NOTIFICATIONS.ID, id)
        .set(NOTIFICATIONS.TENANT_ID, tenantId)
        .set(NOTIFICATIONS.RECIPIENT_ID, recipientId)
        .set(NOTIFICATIONS.TYPE, type)
        .set(NOTIFICATIONS.TITLE, truncate(title, 200))
        .set(NOTIFICATIONS.BODY, truncate(body, 5000))
        .set(NOTIFICATIONS.DATA, JSONB.valueOf("{}"))
        .set(NOTIFICATIONS.CREATE_TIME, now())
        .execute();
  }

  /** ListNotifications of {@code userId}. */
  public ListNotificationsResponse list(UUID tenantId, UUID userId, ListNotificationsRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint = PageTokens.fingerprint("notifications", tenantId, userId, request.getUnreadOnly());
    List<Condition> where = new ArrayList<>(mine(tenantId, userId));
    if (request.getUnreadOnly()) {
      where.add(NOTIFICATIONS.READ_TIME.isNull());
    }
    pageTokens.decode(request.getPageToken(), fingerprint)
        .ifPresent(cursor -> where.add(NOTIFICATIONS.ID.lt(UUID.fromString(cursor.string(0)))));
    List<NotificationsRecord> rows = dsl.selectFrom(NOTIFICATIONS)
        .where(where)
        .orderBy(NOTIFICATIONS.ID.desc())
        .limit(size + 1)
        .fetch();
    ListNotificationsResponse.Builder response = ListNotificationsResponse.newBuilder()
        .setUnreadCount(unread(dsl, tenantId, userId));
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addNotifications(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      response.setNextPageToken(pageTokens.encode(
          PageCursor.of(fingerprint, rows.get(size - 1).getId().toString())));
    }
    return response.build();
  }

  /**
   * MarkRead: the given notifications of {@code userId}, or all of them.
   *
   * @throws NotFoundException NOTIFICATION_NOT_FOUND if an id is not the caller's (nothing changes)
   */
  public MarkReadResponse markRead(UUID tenantId, UUID userId, MarkReadRequest request) {
    return Transactions.inTransaction(dsl, tx -> {
      List<Condition> target = new ArrayList<>(mine(tenantId, userId));
      if (!request.getAll()) {
        List<UUID> ids = request.getNotificationIdsList().stream().map(UUID::fromString).toList();
        int owned = tx.fetchCount(NOTIFICATIONS, NOTIFICATIONS.ID.in(ids).and(DSL.and(mine(tenantId, userId))));
        if (owned != ids.size()) {
          throw new NotFoundException(NOTIFICATION_NOT_FOUND, "no such notification", Map.of());
        }
        target.add(NOTIFICATIONS.ID.in(ids));
      }
      int marked = tx.update(NOTIFICATIONS)
          .set(NOTIFICATIONS.READ_TIME, now())
          .where(target)
          .and(NOTIFICATIONS.READ_TIME.isNull())
          .execute();
      return MarkReadResponse.newBuilder().setMarkedCount(marked).setUnreadCount(unread(tx, tenantId, userId)).build();
    });
  }

  private static List<Condition> mine(UUID tenantId, UUID userId) {
    return List.of(NOTIFICATIONS.TENANT_ID.eq(tenantId), NOTIFICATIONS.RECIPIENT_ID.eq(userId));
  }

  private static long unread(DSLContext tx, UUID tenantId, UUID userId) {
    return tx.fetchCount(NOTIFICATIONS, NOTIFICATIONS.TENANT_ID.eq(tenantId)
        .and(NOTIFICATIONS.RECIPIENT_ID.eq(userId)).and(NOTIFICATIONS.READ_TIME.isNull()));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }

  private static Notification toProto(NotificationsRecord row) {
    Notification.Builder out = Notification.newBuilder()
        .setId(row.getId().toString())
        .setRecipientId(row.getRecipientId().toString())
        .setType(row.getType())
        .setTitle(row.getTitle())
        .setBody(row.getBody())
        .setCreateTime(timestamp(row.getCreateTime()));
    if (row.getReadTime() != null) {
      out.setReadTime(timestamp(row.getReadTime()));
    }
    return out.build();
  }

  private static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }
}
