package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;

import dev.lattice.notifications.messages.Priority;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.TableField;
import org.jooq.UpdateSetMoreStep;
import org.jooq.impl.DSL;

/**
 * The SQL of the deliveries table. A change of state counts a version and sets update_time; a
 * terminal state (SENT, FAILED) clears the address and the text. The planner and the dispatcher run
 * these statements for every delivery, so each is rendered once ({@link RenderedStatement}) and its
 * rows are read straight from the ResultSet: built, rendered and mapped by jOOQ on every call, they
 * took about 3% of the mesh's CPU in a profile of the saga. Only {@link #page}, whose filters vary,
 * is built per call. Stateless and thread-safe; every method runs on the context it is given (a
 * transaction or the database).
 */
public final class DeliveryStore {

  /**
   * Every column of deliveries, in the table's order: what the insert binds ({@link #values}) and
   * what every query returns ({@link #delivery(ResultSet)} reads them by position).
   */
  private static final List<TableField<DeliveriesRecord, ?>> COLUMNS =
      List.of(
          DELIVERIES.ID,
          DELIVERIES.TENANT_ID,
          DELIVERIES.RECIPIENT_ID,
          DELIVERIES.CHANNEL,
          DELIVERIES.TEMPLATE_KEY,
          DELIVERIES.LOCALE,
          DELIVERIES.TEMPLATE_VERSION,
          DELIVERIES.DEDUPE_KEY,
          DELIVERIES.PRIORITY,
          DELIVERIES.DESTINATION,
          DELIVERIES.DESTINATION_HINT,
          DELIVERIES.RENDERED_SUBJECT,
          DELIVERIES.RENDERED_BODY,
          DELIVERIES.SOURCE_EVENT_ID,
          DELIVERIES.SOURCE_EVENT_TYPE,
          DELIVERIES.STATUS,
          DELIVERIES.ATTEMPT_COUNT,
          DELIVERIES.LAST_ERROR_CODE,
          DELIVERIES.LAST_ERROR_MESSAGE,
          DELIVERIES.PROVIDER,
          DELIVERIES.PROVIDER_MESSAGE_ID,
          DELIVERIES.NOTIFICATION_ID,
          DELIVERIES.CREATE_TIME,
          DELIVERIES.UPDATE_TIME,
          DELIVERIES.SENT_TIME,
          DELIVERIES.NEXT_ATTEMPT_TIME,
          DELIVERIES.VERSION);

  /** Inserts {@code delivery} unless its tenant has its dedupe key already; true if inserted. */
  public boolean insertIfAbsent(DSLContext tx, Delivery delivery) {
    return INSERT_IF_ABSENT.execute(tx, values(delivery)) == 1;
  }

  /**
   * Inserts each of {@code planned} unless its tenant has its dedupe key already (or an earlier one
   * of them has it): one JDBC batch, one round trip.
   */
  public void insertAllIfAbsent(DSLContext tx, List<Delivery> planned) {
    if (planned.isEmpty()) {
      return;
    }
    List<Object[]> rows = new ArrayList<>(planned.size());
    for (Delivery delivery : planned) {
      rows.add(values(delivery));
    }
    INSERT_IF_ABSENT.executeBatch(tx, rows);
  }

  // Every notification of every event runs this: rendered once.
  private static final RenderedStatement INSERT_IF_ABSENT =
      RenderedStatement.of(
          DSL.insertInto(DELIVERIES, COLUMNS)
              .values(RenderedStatement.parametersFor(COLUMNS))
              .onConflict(DELIVERIES.TENANT_ID, DELIVERIES.DEDUPE_KEY)
              .doNothing(),
          RenderedStatement.namesOf(COLUMNS));

  /** Links delivery {@code id} to its inbox row, which is also the provider's message id. */
  public void attachNotification(DSLContext tx, UUID id, UUID notificationId) {
    ATTACH_NOTIFICATION.execute(tx, notificationId, notificationId.toString(), id);
  }

  // Every in-app notification runs this: rendered once.
  private static final RenderedStatement ATTACH_NOTIFICATION =
      RenderedStatement.of(
          DSL.update(DELIVERIES)
              .set(
                  DELIVERIES.NOTIFICATION_ID,
                  DSL.param("notification_id", DELIVERIES.NOTIFICATION_ID))
              .set(
                  DELIVERIES.PROVIDER_MESSAGE_ID,
                  DSL.param("provider_message_id", DELIVERIES.PROVIDER_MESSAGE_ID))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID))),
          "notification_id",
          "provider_message_id",
          "id");

  /**
   * Leases up to {@code batch} open deliveries of {@code lanes} due at {@code now} until {@code
   * leaseUntil}, NORMAL before LOW, oldest due first, skipping those another worker locked. One
   * statement per priority, each reading {@code deliveries_due_idx} in due order and stopping at
   * what the batch still lacks: one statement ordered by the lane then the due time had to read and
   * sort every due delivery of both priorities first (564 buffers a claim with a busy user's
   * messages waiting for the rate limit, in {@code ./mesh bench}).
   */
  public List<Delivery> claim(
      DSLContext tx,
      Collection<Priority> lanes,
      int batch,
      OffsetDateTime now,
      OffsetDateTime leaseUntil) {
    List<Delivery> claimed = new ArrayList<>(batch);
    for (Priority priority : EnumSet.copyOf(lanes)) {
      int room = batch - claimed.size();
      if (room <= 0) {
        break;
      }
      claimed.addAll(
          CLAIM.fetch(tx, DeliveryStore::delivery, leaseUntil, priority.name(), now, room));
    }
    return claimed;
  }

  // The dispatcher's lanes run these for every delivery: rendered once.
  private static final RenderedStatement CLAIM =
      RenderedStatement.of(
          DSL.update(DELIVERIES)
              .set(
                  DELIVERIES.NEXT_ATTEMPT_TIME,
                  DSL.param("lease_until", DELIVERIES.NEXT_ATTEMPT_TIME))
              .where(
                  DELIVERIES.ID.in(
                      DSL.select(DELIVERIES.ID)
                          .from(DELIVERIES)
                          .where(
                              DELIVERIES.STATUS.in(
                                  DSL.inline(DeliveryStatuses.PENDING),
                                  DSL.inline(DeliveryStatuses.RETRYING)))
                          .and(DELIVERIES.PRIORITY.eq(DSL.param("priority", String.class)))
                          .and(
                              DELIVERIES.NEXT_ATTEMPT_TIME.le(
                                  DSL.param("now", DELIVERIES.NEXT_ATTEMPT_TIME)))
                          .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME)
                          .limit(DSL.param("batch", Integer.class))
                          .forUpdate()
                          .skipLocked()))
              .returning(COLUMNS),
          "lease_until",
          "priority",
          "now",
          "batch");

  private static final RenderedStatement LOCK_LEASED =
      RenderedStatement.of(
          DSL.select(COLUMNS)
              .from(DELIVERIES)
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID)))
              .and(
                  DELIVERIES.STATUS.in(
                      DSL.inline(DeliveryStatuses.PENDING), DSL.inline(DeliveryStatuses.RETRYING)))
              .and(
                  DELIVERIES.NEXT_ATTEMPT_TIME.eq(
                      DSL.param("leased_until", DELIVERIES.NEXT_ATTEMPT_TIME)))
              .forUpdate(),
          "id",
          "leased_until");

  /**
   * Delivery {@code id}, locked, if it is still open and still leased until {@code leasedUntil}.
   */
  public Optional<Delivery> lockLeased(DSLContext tx, UUID id, OffsetDateTime leasedUntil) {
    return LOCK_LEASED.fetchFirst(tx, DeliveryStore::delivery, id, leasedUntil);
  }

  /** Puts delivery {@code id} off until {@code until} without an attempt, noting why. */
  public void defer(
      DSLContext tx,
      UUID id,
      OffsetDateTime until,
      String code,
      String message,
      OffsetDateTime now) {
    DEFER.execute(tx, now, until, code, message, id);
  }

  private static final RenderedStatement DEFER =
      RenderedStatement.of(
          changed()
              .set(DELIVERIES.NEXT_ATTEMPT_TIME, DSL.param("until", DELIVERIES.NEXT_ATTEMPT_TIME))
              .set(DELIVERIES.LAST_ERROR_CODE, DSL.param("code", DELIVERIES.LAST_ERROR_CODE))
              .set(
                  DELIVERIES.LAST_ERROR_MESSAGE,
                  DSL.param("message", DELIVERIES.LAST_ERROR_MESSAGE))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID))),
          "now",
          "until",
          "code",
          "message",
          "id");

  /** Counts attempt {@code attempt} of delivery {@code id}; returns the delivery as it is now. */
  public Delivery startAttempt(DSLContext tx, UUID id, int attempt, OffsetDateTime now) {
    return START_ATTEMPT.fetchFirst(tx, DeliveryStore::delivery, now, attempt, id).orElse(null);
  }

  private static final RenderedStatement START_ATTEMPT =
      RenderedStatement.of(
          changed()
              .set(DELIVERIES.ATTEMPT_COUNT, DSL.param("attempt", DELIVERIES.ATTEMPT_COUNT))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID)))
              .returning(COLUMNS),
          "now",
          "attempt",
          "id");

  /**
   * Delivery {@code id} SENT by {@code provider} as {@code providerMessageId}; returns it as it is
   * now.
   */
  public Delivery markSent(
      DSLContext tx, UUID id, String provider, String providerMessageId, OffsetDateTime now) {
    return MARK_SENT
        .fetchFirst(tx, DeliveryStore::delivery, now, provider, now, providerMessageId, id)
        .orElse(null);
  }

  private static final RenderedStatement MARK_SENT =
      RenderedStatement.of(
          closed()
              .set(DELIVERIES.STATUS, DSL.inline(DeliveryStatuses.SENT))
              .set(DELIVERIES.PROVIDER, DSL.param("provider", DELIVERIES.PROVIDER))
              .set(DELIVERIES.SENT_TIME, DSL.param("now", DELIVERIES.SENT_TIME))
              .set(
                  DELIVERIES.PROVIDER_MESSAGE_ID,
                  DSL.param("provider_message_id", DELIVERIES.PROVIDER_MESSAGE_ID))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID)))
              .returning(COLUMNS),
          "now",
          "provider",
          "now",
          "provider_message_id",
          "id");

  /**
   * Delivery {@code id} RETRYING at {@code retryAt} after {@code provider} failed with {@code
   * code}.
   */
  public void scheduleRetry(
      DSLContext tx,
      UUID id,
      String provider,
      String code,
      String message,
      OffsetDateTime retryAt,
      OffsetDateTime now) {
    SCHEDULE_RETRY.execute(tx, now, provider, code, message, retryAt, id);
  }

  private static final RenderedStatement SCHEDULE_RETRY =
      RenderedStatement.of(
          changed()
              .set(DELIVERIES.STATUS, DSL.inline(DeliveryStatuses.RETRYING))
              .set(DELIVERIES.PROVIDER, DSL.param("provider", DELIVERIES.PROVIDER))
              .set(DELIVERIES.LAST_ERROR_CODE, DSL.param("code", DELIVERIES.LAST_ERROR_CODE))
              .set(
                  DELIVERIES.LAST_ERROR_MESSAGE,
                  DSL.param("message", DELIVERIES.LAST_ERROR_MESSAGE))
              .set(
                  DELIVERIES.NEXT_ATTEMPT_TIME, DSL.param("retry_at", DELIVERIES.NEXT_ATTEMPT_TIME))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID))),
          "now",
          "provider",
          "code",
          "message",
          "retry_at",
          "id");

  /**
   * Delivery {@code id} FAILED for good, {@code provider} last with {@code code}; returns it as it
   * is now.
   */
  public Delivery markFailed(
      DSLContext tx, UUID id, String provider, String code, String message, OffsetDateTime now) {
    return MARK_FAILED
        .fetchFirst(tx, DeliveryStore::delivery, now, provider, code, message, id)
        .orElse(null);
  }

  private static final RenderedStatement MARK_FAILED =
      RenderedStatement.of(
          closed()
              .set(DELIVERIES.STATUS, DSL.inline(DeliveryStatuses.FAILED))
              .set(DELIVERIES.PROVIDER, DSL.param("provider", DELIVERIES.PROVIDER))
              .set(DELIVERIES.LAST_ERROR_CODE, DSL.param("code", DELIVERIES.LAST_ERROR_CODE))
              .set(
                  DELIVERIES.LAST_ERROR_MESSAGE,
                  DSL.param("message", DELIVERIES.LAST_ERROR_MESSAGE))
              .where(DELIVERIES.ID.eq(DSL.param("id", DELIVERIES.ID)))
              .returning(COLUMNS),
          "now",
          "provider",
          "code",
          "message",
          "id");

  /** Up to {@code limit} deliveries matching {@code filter}, newest first. */
  public List<Delivery> page(DSLContext db, DeliveryFilter filter, int limit) {
    List<Condition> where = new ArrayList<>();
    where.add(DELIVERIES.TENANT_ID.eq(filter.tenantId()));
    filter.status().ifPresent(status -> where.add(DELIVERIES.STATUS.eq(status)));
    filter.recipientId().ifPresent(recipient -> where.add(DELIVERIES.RECIPIENT_ID.eq(recipient)));
    filter.channel().ifPresent(channel -> where.add(DELIVERIES.CHANNEL.eq(channel)));
    filter.sourceEventId().ifPresent(event -> where.add(DELIVERIES.SOURCE_EVENT_ID.eq(event)));
    filter
        .after()
        .ifPresent(
            after ->
                where.add(
                    DSL.row(DELIVERIES.CREATE_TIME, DELIVERIES.ID)
                        .lt(after.createTime(), after.id())));
    return ResultSets.fetch(
        db.select(COLUMNS)
            .from(DELIVERIES)
            .where(where)
            .orderBy(DELIVERIES.CREATE_TIME.desc(), DELIVERIES.ID.desc())
            .limit(limit),
        DeliveryStore::delivery);
  }

  /**
   * An update of a delivery that counts a version at the parameter {@code now}, which its
   * statements bind first.
   */
  private static UpdateSetMoreStep<DeliveriesRecord> changed() {
    return DSL.update(DELIVERIES)
        .set(DELIVERIES.UPDATE_TIME, DSL.param("now", DELIVERIES.UPDATE_TIME))
        .set(DELIVERIES.VERSION, DELIVERIES.VERSION.plus(DSL.inline(1L)));
  }

  /** Like {@link #changed}, for a terminal state: no next attempt, no address, no text. */
  private static UpdateSetMoreStep<DeliveriesRecord> closed() {
    return changed()
        .set(DELIVERIES.NEXT_ATTEMPT_TIME, DSL.inline(null, DELIVERIES.NEXT_ATTEMPT_TIME))
        .set(DELIVERIES.DESTINATION, DSL.inline(null, DELIVERIES.DESTINATION))
        .set(DELIVERIES.RENDERED_SUBJECT, DSL.inline(null, DELIVERIES.RENDERED_SUBJECT))
        .set(DELIVERIES.RENDERED_BODY, DSL.inline(null, DELIVERIES.RENDERED_BODY));
  }

  /** The values of {@link #COLUMNS} of {@code d}, in order: the insert's. */
  private static Object[] values(Delivery d) {
    return new Object[] {
      d.id(),
      d.tenantId(),
      d.recipientId(),
      d.channel(),
      d.templateKey(),
      d.locale(),
      d.templateVersion(),
      d.dedupeKey(),
      d.priority().name(),
      d.destination(),
      d.destinationHint(),
      d.renderedSubject(),
      d.renderedBody(),
      d.sourceEventId(),
      d.sourceEventType(),
      d.status(),
      d.attemptCount(),
      d.lastErrorCode(),
      d.lastErrorMessage(),
      d.provider(),
      d.providerMessageId(),
      d.notificationId(),
      d.createTime(),
      d.updateTime(),
      d.sentTime(),
      d.nextAttemptTime(),
      d.version()
    };
  }

  /** The delivery of the current row, whose columns are {@link #COLUMNS}. */
  private static Delivery delivery(ResultSet rs) throws SQLException {
    return new Delivery(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getObject(3, UUID.class),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getObject(7, Long.class),
        rs.getString(8),
        Priority.valueOf(rs.getString(9)),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getString(13),
        rs.getObject(14, UUID.class),
        rs.getString(15),
        rs.getString(16),
        rs.getInt(17),
        rs.getString(18),
        rs.getString(19),
        rs.getString(20),
        rs.getString(21),
        rs.getObject(22, UUID.class),
        rs.getObject(23, OffsetDateTime.class),
        rs.getObject(24, OffsetDateTime.class),
        rs.getObject(25, OffsetDateTime.class),
        rs.getObject(26, OffsetDateTime.class),
        rs.getLong(27));
  }
}
