package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;

import dev.lattice.notifications.messages.Priority;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.platform.db.RenderedStatement;
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
 * terminal state (SENT, FAILED) clears the address and the text. Stateless and thread-safe; every
 * method runs on the context it is given (a transaction or the database).
 */
public final class DeliveryStore {

  /** Inserts {@code delivery} unless its tenant has its dedupe key already; true if inserted. */
  public boolean insertIfAbsent(DSLContext tx, Delivery delivery) {
    return INSERT_IF_ABSENT.execute(
            tx, RenderedStatement.valuesOf(record(tx, delivery), INSERTED_COLUMNS))
        == 1;
  }

  /** Every column {@link #record} sets. */
  private static final List<TableField<DeliveriesRecord, ?>> INSERTED_COLUMNS =
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

  // Every notification of every event runs this: rendered once.
  private static final RenderedStatement INSERT_IF_ABSENT =
      RenderedStatement.of(
          DSL.insertInto(DELIVERIES, INSERTED_COLUMNS)
              .values(RenderedStatement.parametersFor(INSERTED_COLUMNS))
              .onConflict(DELIVERIES.TENANT_ID, DELIVERIES.DEDUPE_KEY)
              .doNothing(),
          RenderedStatement.namesOf(INSERTED_COLUMNS));

  /** Links delivery {@code id} to its inbox row, which is also the provider's message id. */
  public void attachNotification(DSLContext tx, UUID id, UUID notificationId) {
    tx.update(DELIVERIES)
        .set(DELIVERIES.NOTIFICATION_ID, notificationId)
        .set(DELIVERIES.PROVIDER_MESSAGE_ID, notificationId.toString())
        .where(DELIVERIES.ID.eq(id))
        .execute();
  }

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
      for (DeliveriesRecord row :
          CLAIM.fetchInto(tx, DELIVERIES, leaseUntil, priority.name(), now, room)) {
        claimed.add(delivery(row));
      }
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
              .returning(),
          "lease_until",
          "priority",
          "now",
          "batch");

  private static final RenderedStatement LOCK_LEASED =
      RenderedStatement.of(
          DSL.selectFrom(DELIVERIES)
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
    return LOCK_LEASED.fetchInto(tx, DELIVERIES, id, leasedUntil).stream()
        .findFirst()
        .map(DeliveryStore::delivery);
  }

  /** Puts delivery {@code id} off until {@code until} without an attempt, noting why. */
  public void defer(
      DSLContext tx,
      UUID id,
      OffsetDateTime until,
      String code,
      String message,
      OffsetDateTime now) {
    changed(tx, now)
        .set(DELIVERIES.NEXT_ATTEMPT_TIME, until)
        .set(DELIVERIES.LAST_ERROR_CODE, code)
        .set(DELIVERIES.LAST_ERROR_MESSAGE, message)
        .where(DELIVERIES.ID.eq(id))
        .execute();
  }

  /** Counts attempt {@code attempt} of delivery {@code id}; returns the delivery as it is now. */
  public Delivery startAttempt(DSLContext tx, UUID id, int attempt, OffsetDateTime now) {
    return changed(tx, now)
        .set(DELIVERIES.ATTEMPT_COUNT, attempt)
        .where(DELIVERIES.ID.eq(id))
        .returning()
        .fetchOne(DeliveryStore::delivery);
  }

  /**
   * Delivery {@code id} SENT by {@code provider} as {@code providerMessageId}; returns it as it is
   * now.
   */
  public Delivery markSent(
      DSLContext tx, UUID id, String provider, String providerMessageId, OffsetDateTime now) {
    return closed(tx, now)
        .set(DELIVERIES.STATUS, DeliveryStatuses.SENT)
        .set(DELIVERIES.PROVIDER, provider)
        .set(DELIVERIES.SENT_TIME, now)
        .set(DELIVERIES.PROVIDER_MESSAGE_ID, providerMessageId)
        .where(DELIVERIES.ID.eq(id))
        .returning()
        .fetchOne(DeliveryStore::delivery);
  }

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
    changed(tx, now)
        .set(DELIVERIES.STATUS, DeliveryStatuses.RETRYING)
        .set(DELIVERIES.PROVIDER, provider)
        .set(DELIVERIES.LAST_ERROR_CODE, code)
        .set(DELIVERIES.LAST_ERROR_MESSAGE, message)
        .set(DELIVERIES.NEXT_ATTEMPT_TIME, retryAt)
        .where(DELIVERIES.ID.eq(id))
        .execute();
  }

  /**
   * Delivery {@code id} FAILED for good, {@code provider} last with {@code code}; returns it as it
   * is now.
   */
  public Delivery markFailed(
      DSLContext tx, UUID id, String provider, String code, String message, OffsetDateTime now) {
    return closed(tx, now)
        .set(DELIVERIES.STATUS, DeliveryStatuses.FAILED)
        .set(DELIVERIES.PROVIDER, provider)
        .set(DELIVERIES.LAST_ERROR_CODE, code)
        .set(DELIVERIES.LAST_ERROR_MESSAGE, message)
        .where(DELIVERIES.ID.eq(id))
        .returning()
        .fetchOne(DeliveryStore::delivery);
  }

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
    return db.selectFrom(DELIVERIES)
        .where(where)
        .orderBy(DELIVERIES.CREATE_TIME.desc(), DELIVERIES.ID.desc())
        .limit(limit)
        .fetch(DeliveryStore::delivery);
  }

  /** An update of a delivery that counts a version at {@code now}. */
  private static UpdateSetMoreStep<DeliveriesRecord> changed(DSLContext tx, OffsetDateTime now) {
    return tx.update(DELIVERIES)
        .set(DELIVERIES.UPDATE_TIME, now)
        .set(DELIVERIES.VERSION, DELIVERIES.VERSION.plus(1));
  }

  /** Like {@link #changed}, for a terminal state: no next attempt, no address, no text. */
  private static UpdateSetMoreStep<DeliveriesRecord> closed(DSLContext tx, OffsetDateTime now) {
    return changed(tx, now)
        .setNull(DELIVERIES.NEXT_ATTEMPT_TIME)
        .setNull(DELIVERIES.DESTINATION)
        .setNull(DELIVERIES.RENDERED_SUBJECT)
        .setNull(DELIVERIES.RENDERED_BODY);
  }

  private static DeliveriesRecord record(DSLContext tx, Delivery d) {
    DeliveriesRecord row = tx.newRecord(DELIVERIES);
    row.setId(d.id());
    row.setTenantId(d.tenantId());
    row.setRecipientId(d.recipientId());
    row.setChannel(d.channel());
    row.setTemplateKey(d.templateKey());
    row.setLocale(d.locale());
    row.setTemplateVersion(d.templateVersion());
    row.setDedupeKey(d.dedupeKey());
    row.setPriority(d.priority().name());
    row.setDestination(d.destination());
    row.setDestinationHint(d.destinationHint());
    row.setRenderedSubject(d.renderedSubject());
    row.setRenderedBody(d.renderedBody());
    row.setSourceEventId(d.sourceEventId());
    row.setSourceEventType(d.sourceEventType());
    row.setStatus(d.status());
    row.setAttemptCount(d.attemptCount());
    row.setLastErrorCode(d.lastErrorCode());
    row.setLastErrorMessage(d.lastErrorMessage());
    row.setProvider(d.provider());
    row.setProviderMessageId(d.providerMessageId());
    row.setNotificationId(d.notificationId());
    row.setCreateTime(d.createTime());
    row.setUpdateTime(d.updateTime());
    row.setSentTime(d.sentTime());
    row.setNextAttemptTime(d.nextAttemptTime());
    row.setVersion(d.version());
    return row;
  }

  private static Delivery delivery(DeliveriesRecord r) {
    return new Delivery(
        r.getId(),
        r.getTenantId(),
        r.getRecipientId(),
        r.getChannel(),
        r.getTemplateKey(),
        r.getLocale(),
        r.getTemplateVersion(),
        r.getDedupeKey(),
        Priority.valueOf(r.getPriority()),
        r.getDestination(),
        r.getDestinationHint(),
        r.getRenderedSubject(),
        r.getRenderedBody(),
        r.getSourceEventId(),
        r.getSourceEventType(),
        r.getStatus(),
        r.getAttemptCount(),
        r.getLastErrorCode(),
        r.getLastErrorMessage(),
        r.getProvider(),
        r.getProviderMessageId(),
        r.getNotificationId(),
        r.getCreateTime(),
        r.getUpdateTime(),
        r.getSentTime(),
        r.getNextAttemptTime(),
        r.getVersion());
  }
}
