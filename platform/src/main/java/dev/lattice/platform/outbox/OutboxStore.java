package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_ID;
import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_TYPE;
import static dev.lattice.platform.outbox.OutboxTable.AGGREGATE_VERSION;
import static dev.lattice.platform.outbox.OutboxTable.ATTEMPTS;
import static dev.lattice.platform.outbox.OutboxTable.CREATE_TIME;
import static dev.lattice.platform.outbox.OutboxTable.ENVELOPE;
import static dev.lattice.platform.outbox.OutboxTable.EVENTS;
import static dev.lattice.platform.outbox.OutboxTable.EVENT_ID;
import static dev.lattice.platform.outbox.OutboxTable.EVENT_TYPE;
import static dev.lattice.platform.outbox.OutboxTable.HEADERS;
import static dev.lattice.platform.outbox.OutboxTable.ID;
import static dev.lattice.platform.outbox.OutboxTable.LAST_ERROR;
import static dev.lattice.platform.outbox.OutboxTable.NEXT_ATTEMPT_TIME;
import static dev.lattice.platform.outbox.OutboxTable.RELAYS;
import static dev.lattice.platform.outbox.OutboxTable.R_HEARTBEAT_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_INSTANCE_ID;
import static dev.lattice.platform.outbox.OutboxTable.R_IN_FLIGHT;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_ERROR;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_POLL_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_PUBLISH_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_PUBLISHED_COUNT;
import static dev.lattice.platform.outbox.OutboxTable.R_PUBLISHED_LAST_MINUTE;
import static dev.lattice.platform.outbox.OutboxTable.R_START_TIME;
import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.selectOne;

import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.events.HeaderJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Query;
import org.jooq.Record3;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The relay's statements on the outbox tables. Stateless; every method runs on the context it is
 * given (the round's transaction, or the pool for single statements).
 */
final class OutboxStore {

  private static final OutboxTable.Alias EARLIER = OutboxTable.Alias.of("earlier");

  private OutboxStore() {}

  /** A claimed row: what listeners see, plus what goes on the wire. */
  record ClaimedRow(PendingEvent event, byte[] envelope, Map<String, String> headers) {}

  /**
   * Locks and returns up to {@code limit} rows that may be published now, in id order: their retry
   * time has come and no earlier row of the same aggregate is still pending, so at most one row per
   * aggregate. Rows locked by another relay are skipped, not waited for.
   *
   * <p>"No earlier row" is written as "the row is its aggregate's first": {@code id <= (select
   * min(id) ... same aggregate)}, which PostgreSQL can only answer well from {@code
   * outbox_events_aggregate_idx} (one index-only probe per candidate). The anti-join it replaces
   * ({@code not exists (... earlier.id < id)}) was planned from statistics a queue table rarely has
   * right: taken while the table was nearly empty, they made the primary key look as good for
   * {@code earlier.id < id}, and PostgreSQL then visited every row version below each candidate,
   * dead ones included: 466 buffers a claim in inventory on average under the saga load of {@code
   * ./mesh bench}, 21,053 (123 ms) for one claim of 34 rows. {@code <=} rather than {@code =} keeps
   * the estimate of the rows that pass at a third, so the planner still reads the primary key in id
   * order and stops at {@code limit}.
   */
  static List<ClaimedRow> claim(DSLContext tx, int limit) {
    return CLAIM.fetch(tx, OutboxStore::claimedRow, limit);
  }

  private static final RenderedStatement CLAIM =
      RenderedStatement.of(
          DSL.select(
                  ID,
                  EVENT_ID,
                  OutboxTable.TENANT_ID,
                  AGGREGATE_TYPE,
                  AGGREGATE_ID,
                  AGGREGATE_VERSION,
                  OutboxTable.SUBJECT,
                  EVENT_TYPE,
                  ENVELOPE,
                  HEADERS,
                  ATTEMPTS,
                  CREATE_TIME)
              .from(EVENTS)
              .where(NEXT_ATTEMPT_TIME.le(currentOffsetDateTime()))
              .and(
                  ID.le(
                      DSL.select(min(EARLIER.id()))
                          .from(EARLIER.table())
                          .where(EARLIER.aggregateType().eq(AGGREGATE_TYPE))
                          .and(EARLIER.aggregateId().eq(AGGREGATE_ID))))
              .orderBy(ID)
              .limit(DSL.param("limit", SQLDataType.INTEGER))
              .forUpdate()
              .skipLocked(),
          "limit");

  private static ClaimedRow claimedRow(ResultSet r) throws SQLException {
    PendingEvent event =
        new PendingEvent(
            r.getLong(1),
            r.getObject(2, UUID.class),
            r.getObject(3, UUID.class),
            r.getString(4),
            r.getString(5),
            r.getLong(6),
            r.getString(7),
            r.getString(8),
            r.getInt(11),
            r.getObject(12, OffsetDateTime.class).toInstant());
    String headers = r.getString(10);
    return new ClaimedRow(
        event, r.getBytes(9), HeaderJson.decode(headers == null ? null : JSONB.valueOf(headers)));
  }

  private static final RenderedStatement DELETE =
      RenderedStatement.of(
          DSL.deleteFrom(EVENTS).where(ID.eq(any(DSL.param("ids", SQLDataType.BIGINT.array())))),
          "ids");

  /** Removes published rows. */
  static void deletePublished(DSLContext tx, List<Long> ids) {
    if (!ids.isEmpty()) {
      DELETE.execute(tx, (Object) ids.toArray(Long[]::new));
    }
  }

  /** A failed publish of one row: what happened and when to try again. */
  record Failure(long id, String error, Duration retryAfter) {}

  /** Records failed publishes: one more attempt, the error, the next attempt time. */
  static void recordFailures(DSLContext tx, List<Failure> failures) {
    if (failures.isEmpty()) {
      return;
    }
    List<Query> updates = new ArrayList<>(failures.size());
    for (Failure f : failures) {
      updates.add(
          tx.update(EVENTS)
              .set(ATTEMPTS, ATTEMPTS.plus(1))
              .set(LAST_ERROR, truncate(f.error(), 1000))
              .set(NEXT_ATTEMPT_TIME, nowPlus(f.retryAfter()))
              .where(ID.eq(f.id())));
    }
    tx.batch(updates).execute();
  }

  /** Pending rows, the oldest one's create time (null if none), and the database's now. */
  record Summary(long pending, OffsetDateTime oldestCreateTime, OffsetDateTime now) {}

  static Summary summary(DSLContext dsl) {
    Record3<Integer, OffsetDateTime, OffsetDateTime> r =
        dsl.select(count(), min(CREATE_TIME), currentOffsetDateTime()).from(EVENTS).fetchOne();
    return new Summary(r.value1(), r.value2(), r.value3());
  }

  /** The highest pending id, or 0 when nothing is pending. */
  static long maxPendingId(DSLContext dsl) {
    Long id = dsl.select(max(ID)).from(EVENTS).fetchOne().value1();
    return id == null ? 0 : id;
  }

  /** Whether any row with id at most {@code id} is still pending. */
  static boolean pendingUpTo(DSLContext dsl, long id) {
    return dsl.fetchExists(selectOne().from(EVENTS).where(ID.le(id)));
  }

  /** A relay's figures for its heartbeat row. */
  record Heartbeat(
      String instanceId,
      Instant startTime,
      Instant lastPollTime,
      Instant lastPublishTime,
      long publishedCount,
      long publishedLastMinute,
      int inFlight,
      String lastError) {}

  static void heartbeat(DSLContext dsl, Heartbeat h) {
    dsl.insertInto(RELAYS)
        .set(R_INSTANCE_ID, h.instanceId())
        .set(R_START_TIME, utc(h.startTime()))
        .set(R_HEARTBEAT_TIME, currentOffsetDateTime())
        .set(R_LAST_POLL_TIME, utc(h.lastPollTime()))
        .set(R_LAST_PUBLISH_TIME, utc(h.lastPublishTime()))
        .set(R_PUBLISHED_COUNT, h.publishedCount())
        .set(R_PUBLISHED_LAST_MINUTE, h.publishedLastMinute())
        .set(R_IN_FLIGHT, h.inFlight())
        .set(R_LAST_ERROR, truncate(h.lastError(), 1000))
        .onConflict(R_INSTANCE_ID)
        .doUpdate()
        .set(R_START_TIME, utc(h.startTime()))
        .set(R_HEARTBEAT_TIME, currentOffsetDateTime())
        .set(R_LAST_POLL_TIME, utc(h.lastPollTime()))
        .set(R_LAST_PUBLISH_TIME, utc(h.lastPublishTime()))
        .set(R_PUBLISHED_COUNT, h.publishedCount())
        .set(R_PUBLISHED_LAST_MINUTE, h.publishedLastMinute())
        .set(R_IN_FLIGHT, h.inFlight())
        .set(R_LAST_ERROR, truncate(h.lastError(), 1000))
        .execute();
  }

  /** Removes heartbeat rows of relays not seen for {@code age}. */
  static int forgetRelaysOlderThan(DSLContext dsl, Duration age) {
    return dsl.deleteFrom(RELAYS).where(R_HEARTBEAT_TIME.lt(nowPlus(age.negated()))).execute();
  }

  /** The database's {@code now()} shifted by {@code offset}. */
  static Field<OffsetDateTime> nowPlus(Duration offset) {
    return DSL.field(
        "now() + ({0} * interval '1 millisecond')",
        SQLDataType.TIMESTAMPWITHTIMEZONE, DSL.val(offset.toMillis(), SQLDataType.BIGINT));
  }

  static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
