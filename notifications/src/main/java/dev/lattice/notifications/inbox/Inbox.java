package dev.lattice.notifications.inbox;

import com.google.protobuf.Timestamp;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The in-app inbox: notifications rows written by the dispatcher, listed newest first with keyset
 * paging on the UUIDv7 id, and marked read by their owner. Another user's or another tenant's
 * notification is NOT_FOUND. Its SQL is in {@link InboxStore}. Thread-safe.
 */
public final class Inbox {

  /** Reason of an id that is not one of the caller's notifications. */
  public static final String NOTIFICATION_NOT_FOUND = "NOTIFICATION_NOT_FOUND";

  private final InboxStore store = new InboxStore();
  private final DSLContext dsl;
  private final PageTokens pageTokens;
  private final Clock clock;

  public Inbox(DSLContext dsl, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
    this.clock = clock;
  }

  /** Adds a notification for {@code recipientId} in {@code tx}. */
  public void add(
      DSLContext tx,
      UUID id,
      UUID tenantId,
      UUID recipientId,
      String type,
      String title,
      String body) {
    store.insert(
        tx,
        new InboxMessage(
            id,
            tenantId,
            recipientId,
            type,
            truncate(title, 200),
            truncate(body, 5000),
            now(),
            Optional.empty()));
  }

  /** ListNotifications of {@code userId}. */
  public ListNotificationsResponse list(
      UUID tenantId, UUID userId, ListNotificationsRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint("notifications", tenantId, userId, request.getUnreadOnly());
    Optional<UUID> before =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(cursor -> UUID.fromString(cursor.string(0)));
    record Page(List<InboxMessage> rows, long unread) {}
    Page page =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx ->
                new Page(
                    store.page(tx, tenantId, userId, request.getUnreadOnly(), before, size + 1),
                    store.countUnread(tx, tenantId, userId)));
    List<InboxMessage> rows = page.rows();
    ListNotificationsResponse.Builder response =
        ListNotificationsResponse.newBuilder().setUnreadCount(page.unread());
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addNotifications(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, rows.get(size - 1).id().toString())));
    }
    return response.build();
  }

  /**
   * MarkRead: the given notifications of {@code userId}, or all of them.
   *
   * @throws NotFoundException NOTIFICATION_NOT_FOUND if an id is not the caller's (nothing changes)
   */
  public MarkReadResponse markRead(UUID tenantId, UUID userId, MarkReadRequest request) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Optional<List<UUID>> ids = Optional.empty();
          if (!request.getAll()) {
            List<UUID> given =
                request.getNotificationIdsList().stream().map(UUID::fromString).toList();
            if (store.countOwned(tx, tenantId, userId, given) != given.size()) {
              throw new NotFoundException(NOTIFICATION_NOT_FOUND, "no such notification", Map.of());
            }
            ids = Optional.of(given);
          }
          int marked = store.markRead(tx, tenantId, userId, ids, now());
          return MarkReadResponse.newBuilder()
              .setMarkedCount(marked)
              .setUnreadCount(store.countUnread(tx, tenantId, userId))
              .build();
        });
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }

  private static Notification toProto(InboxMessage row) {
    Notification.Builder out =
        Notification.newBuilder()
            .setId(row.id().toString())
            .setRecipientId(row.recipientId().toString())
            .setType(row.type())
            .setTitle(row.title())
            .setBody(row.body())
            .setCreateTime(timestamp(row.createTime()));
    row.readTime().ifPresent(readTime -> out.setReadTime(timestamp(readTime)));
    return out.build();
  }

  private static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }
}
