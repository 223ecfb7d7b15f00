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
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.events.HeaderJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
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

  private OutboxStore() {}

  /**
   * The most rows of one aggregate a round claims. They are published one after the other, each
   * only after the previous one's ack (see {@link RelayRound}), so this many round trips to
   * JetStream at most per round.
   */
  static final int PER_AGGREGATE = 8;

  /** A claimed row: what listeners see, plus what goes on the wire. */
  record ClaimedRow(PendingEvent event, byte[] envelope, Map<String, String> headers) {}

  /**
   * Locks up to {@code limit} rows whose retry time has come, in id order, and keeps for publishing
   * those that start their aggregate's pending rows: an aggregate's first pending row and the rows
   * right after it, up to {@value #PER_AGGREGATE}. The other rows it locked are released unchanged
   * at commit. Rows locked by another relay are skipped, not waited for, and an aggregate whose
   * first pending row this round did not lock (another relay is publishing it, or it waits for its
   * retry time) gives this round none of its rows; nor does a row after a gap, so a round holds,
   * per aggregate, an unbroken run from its first pending row.
   *
   * <p>The statement asks, for each candidate in id order, for the ids of its aggregate's first
   * {@value #PER_AGGREGATE} pending rows ({@code outbox_events_aggregate_idx}, one index-only probe
   * of a few entries) and takes the candidate if its id is at most the last of them; the run is
   * then checked here against those ids. "Among the first" rather than an anti-join: the anti-join
   * ({@code not exists (... earlier.id < id)}) was planned from statistics a queue table rarely has
   * right: taken while the table was nearly empty, they made the primary key look as good for
   * {@code earlier.id < id}, and PostgreSQL then visited every row version below each candidate,
   * dead ones included: 466 buffers a claim in inventory on average under the saga load of {@code
   * ./mesh bench}, 21,053 (123 ms) for one claim of 34 rows. An inequality keeps the estimate of
   * the rows that pass at a third, so the planner still reads the primary key in id order and stops
   * at {@code limit}. On a backlog of 10,000 rows over 100 aggregates (NATS back after an outage)
   * the claim of one row per aggregate ({@code id <= (select min(id) ...)}) had to read the whole
   * table to find its 100 rows, 30,302 buffers; this one stops at its 256th row, 2,823 buffers.
   */
  static Claim claim(DSLContext tx, int limit) {
    List<Candidate> locked = CLAIM.fetch(tx, OutboxStore::candidate, PER_AGGREGATE, limit);
    List<ClaimedRow> rows = runsFromFirstPending(locked);
    return new Claim(rows, mayHaveMoreDue(locked, rows.size(), limit));
  }

  /**
   * What a claim kept, and whether rows may have been due that it did not take: it stopped at
   * {@code limit}, left a locked row out (a gap in its aggregate's run), or met an aggregate with
   * {@value #PER_AGGREGATE} pending rows or more (the claim takes no more of one aggregate). When
   * none of these holds, every row that was due when the claim ran is in it, and a row committed
   * after it wakes the relay through its notification.
   */
  record Claim(List<ClaimedRow> rows, boolean mayHaveMoreDue) {}

  static boolean mayHaveMoreDue(List<Candidate> locked, int kept, int limit) {
    if (locked.size() >= limit || kept < locked.size()) {
      return true;
    }
    for (Candidate c : locked) {
      if (c.firstIds().length >= PER_AGGREGATE) {
        return true;
      }
    }
    return false;
  }

  /** A locked row and the ids of its aggregate's first pending rows, as the claim saw them. */
  record Candidate(ClaimedRow row, Long[] firstIds) {}

  /**
   * The candidates (in id order) that form, per aggregate, an unbroken run from the aggregate's
   * first pending row.
   */
  static List<ClaimedRow> runsFromFirstPending(List<Candidate> locked) {
    Map<String, Integer> next = new HashMap<>(); // aggregate → index in firstIds of its next row
    List<ClaimedRow> rows = new ArrayList<>(locked.size());
    for (Candidate c : locked) {
      PendingEvent e = c.row().event();
      String aggregate = aggregateKey(e);
      int position = next.getOrDefault(aggregate, 0);
      if (position >= 0
          && position < c.firstIds().length
          && c.firstIds()[position] == e.outboxId()) {
        rows.add(c.row());
        next.put(aggregate, position + 1);
      } else {
        next.put(aggregate, -1); // a gap: nothing more of this aggregate this round
      }
    }
    return rows;
  }

  /** One string per aggregate: its type and id, joined by a NUL, which neither contains. */
  static String aggregateKey(PendingEvent e) {
    return e.aggregateType() + '\u0000' + e.aggregateId();
  }

  private static final OutboxTable.Alias FIRST = OutboxTable.Alias.of("first_pending");
  private static final Field<Long[]> FIRST_IDS =
      DSL.field(DSL.name("first", "ids"), SQLDataType.BIGINT.array());

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
                  CREATE_TIME,
                  FIRST_IDS)
              .from(EVENTS)
              .crossJoin(
                  DSL.lateral(
                          DSL.select(
                                  DSL.array(
                                          DSL.select(FIRST.id())
                                              .from(FIRST.table())
                                              .where(FIRST.aggregateType().eq(AGGREGATE_TYPE))
                                              .and(FIRST.aggregateId().eq(AGGREGATE_ID))
                                              .orderBy(FIRST.id())
                                              .limit(
                                                  DSL.param("perAggregate", SQLDataType.INTEGER)))
                                      .as("ids"))
                              // Keeps the subquery a subquery: pulled up into the outer query, its
                              // array was computed three times per candidate, not once.
                              .offset(DSL.inline(0)))
                      .as("first"))
              .where(NEXT_ATTEMPT_TIME.le(currentOffsetDateTime()))
              .and(ID.le(DSL.arrayGet(FIRST_IDS, DSL.cardinality(FIRST_IDS))))
              .orderBy(ID)
              .limit(DSL.param("limit", SQLDataType.INTEGER))
              .forUpdate()
              .of(EVENTS)
              .skipLocked(),
          "perAggregate",
          "limit");

  private static Candidate candidate(ResultSet r) throws SQLException {
    java.sql.Array ids = r.getArray(13);
    return new Candidate(claimedRow(r), (Long[]) ids.getArray());
  }

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

  private static final RenderedStatement LEASE =
      RenderedStatement.of(
          DSL.update(EVENTS)
              .set(NEXT_ATTEMPT_TIME, nowPlusMillis(DSL.param("millis", SQLDataType.BIGINT)))
              .where(ID.eq(any(DSL.param("ids", SQLDataType.BIGINT.array())))),
          "millis",
          "ids");

  /**
   * Leases rows to a round: nobody claims them before {@code lease} is over (their next attempt
   * time), unless the round hands them back or records their outcome first.
   */
  static void lease(DSLContext ctx, List<Long> ids, Duration lease) {
    if (!ids.isEmpty()) {
      LEASE.execute(ctx, lease.toMillis(), ids.toArray(Long[]::new));
    }
  }

  private static final RenderedStatement RELEASE =
      RenderedStatement.of(
          DSL.update(EVENTS)
              .set(NEXT_ATTEMPT_TIME, currentOffsetDateTime())
              .where(ID.eq(any(DSL.param("ids", SQLDataType.BIGINT.array())))),
          "ids");

  /** Hands leased rows back, unchanged otherwise: any relay may claim them now. */
  static void release(DSLContext ctx, List<Long> ids) {
    if (!ids.isEmpty()) {
      RELEASE.execute(ctx, (Object) ids.toArray(Long[]::new));
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

  /**
   * The summary of every tenant's pending rows, for the relay's gauges and the operators' outbox
   * status: read in a transaction of its own across tenants (decision 0018).
   */
  static Summary summary(DSLContext dsl) {
    Record3<Integer, OffsetDateTime, OffsetDateTime> r =
        Transactions.acrossTenants(
            dsl,
            tx ->
                tx.select(count(), min(CREATE_TIME), currentOffsetDateTime())
                    .from(EVENTS)
                    .fetchOne());
    return new Summary(r.value1(), r.value2(), r.value3());
  }

  /** The highest pending id of any tenant, or 0 when nothing is pending (across tenants). */
  static long maxPendingId(DSLContext dsl) {
    Long id =
        Transactions.acrossTenants(dsl, tx -> tx.select(max(ID)).from(EVENTS).fetchOne().value1());
    return id == null ? 0 : id;
  }

  /** Whether any row with id at most {@code id}, of any tenant, is still pending. */
  static boolean pendingUpTo(DSLContext dsl, long id) {
    return Transactions.acrossTenants(
        dsl, tx -> tx.fetchExists(selectOne().from(EVENTS).where(ID.le(id))));
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
    return nowPlusMillis(DSL.val(offset.toMillis(), SQLDataType.BIGINT));
  }

  /** The database's {@code now()} shifted by {@code millis} milliseconds. */
  private static Field<OffsetDateTime> nowPlusMillis(Field<Long> millis) {
    return DSL.field(
        "now() + ({0} * interval '1 millisecond')", SQLDataType.TIMESTAMPWITHTIMEZONE, millis);
  }

  static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
