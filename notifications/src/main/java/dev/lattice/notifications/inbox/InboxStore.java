package dev.lattice.notifications.inbox;

import static dev.lattice.notifications.store.jooq.Tables.NOTIFICATIONS;

import dev.lattice.notifications.store.jooq.tables.records.NotificationsRecord;
import dev.lattice.platform.db.RenderedStatement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * The SQL of the in-app inbox (table notifications). Every query is limited to one user of one
 * tenant. Every in-app notification adds a row, so {@link #insert} is rendered once ({@link
 * RenderedStatement}): built and rendered by jOOQ on every call, it was 1.1% of the mesh's CPU in a
 * profile of the saga. Stateless and thread-safe; every method runs on the context it is given (a
 * transaction or the database).
 */
public final class InboxStore {

  /** Adds {@code message} (unread, no data). */
  public void insert(DSLContext tx, InboxMessage message) {
    INSERT.execute(
        tx,
        message.id(),
        message.tenantId(),
        message.recipientId(),
        message.type(),
        message.title(),
        message.body(),
        message.createTime());
  }

  private static final RenderedStatement INSERT =
      RenderedStatement.of(
          DSL.insertInto(NOTIFICATIONS)
              .set(NOTIFICATIONS.ID, DSL.param("id", NOTIFICATIONS.ID))
              .set(NOTIFICATIONS.TENANT_ID, DSL.param("tenant_id", NOTIFICATIONS.TENANT_ID))
              .set(
                  NOTIFICATIONS.RECIPIENT_ID, DSL.param("recipient_id", NOTIFICATIONS.RECIPIENT_ID))
              .set(NOTIFICATIONS.TYPE, DSL.param("type", NOTIFICATIONS.TYPE))
              .set(NOTIFICATIONS.TITLE, DSL.param("title", NOTIFICATIONS.TITLE))
              .set(NOTIFICATIONS.BODY, DSL.param("body", NOTIFICATIONS.BODY))
              .set(NOTIFICATIONS.DATA, DSL.inline(JSONB.valueOf("{}")))
              .set(NOTIFICATIONS.CREATE_TIME, DSL.param("create_time", NOTIFICATIONS.CREATE_TIME)),
          "id",
          "tenant_id",
          "recipient_id",
          "type",
          "title",
          "body",
          "create_time");

  /**
   * Up to {@code limit} of the user's notifications (only unread ones if {@code unreadOnly}),
   * newest first, older than {@code before} if given.
   */
  public List<InboxMessage> page(
      DSLContext db,
      UUID tenantId,
      UUID userId,
      boolean unreadOnly,
      Optional<UUID> before,
      int limit) {
    List<Condition> where = new ArrayList<>(mine(tenantId, userId));
    if (unreadOnly) {
      where.add(NOTIFICATIONS.READ_TIME.isNull());
    }
    before.ifPresent(id -> where.add(NOTIFICATIONS.ID.lt(id)));
    return db.selectFrom(NOTIFICATIONS)
        .where(where)
        .orderBy(NOTIFICATIONS.ID.desc())
        .limit(limit)
        .fetch(InboxStore::message);
  }

  /** How many of the user's notifications are unread. */
  public long countUnread(DSLContext db, UUID tenantId, UUID userId) {
    return db.fetchCount(
        NOTIFICATIONS,
        NOTIFICATIONS
            .TENANT_ID
            .eq(tenantId)
            .and(NOTIFICATIONS.RECIPIENT_ID.eq(userId))
            .and(NOTIFICATIONS.READ_TIME.isNull()));
  }

  /** How many of {@code ids} are the user's notifications. */
  public int countOwned(DSLContext tx, UUID tenantId, UUID userId, List<UUID> ids) {
    return tx.fetchCount(
        NOTIFICATIONS, NOTIFICATIONS.ID.in(ids).and(DSL.and(mine(tenantId, userId))));
  }

  /**
   * Marks the user's unread notifications read at {@code now}: those of {@code ids}, or all of them
   * if empty; returns how many it marked.
   */
  public int markRead(
      DSLContext tx, UUID tenantId, UUID userId, Optional<List<UUID>> ids, OffsetDateTime now) {
    List<Condition> target = new ArrayList<>(mine(tenantId, userId));
    ids.ifPresent(list -> target.add(NOTIFICATIONS.ID.in(list)));
    return tx.update(NOTIFICATIONS)
        .set(NOTIFICATIONS.READ_TIME, now)
        .where(target)
        .and(NOTIFICATIONS.READ_TIME.isNull())
        .execute();
  }

  private static List<Condition> mine(UUID tenantId, UUID userId) {
    return List.of(NOTIFICATIONS.TENANT_ID.eq(tenantId), NOTIFICATIONS.RECIPIENT_ID.eq(userId));
  }

  private static InboxMessage message(NotificationsRecord row) {
    return new InboxMessage(
        row.getId(),
        row.getTenantId(),
        row.getRecipientId(),
        row.getType(),
        row.getTitle(),
        row.getBody(),
        row.getCreateTime(),
        Optional.ofNullable(row.getReadTime()));
  }
}
