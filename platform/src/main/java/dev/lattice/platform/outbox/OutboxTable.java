package dev.lattice.platform.outbox;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The platform's outbox tables ({@code db/platform/V1__outbox.sql}) as typed jOOQ objects. The
 * platform has no generated jOOQ classes for its own tables, so this is the one place their names
 * and types are spelled out.
 */
final class OutboxTable {

  /** The channel the insert trigger notifies. */
  static final String NOTIFY_CHANNEL = "lattice_outbox";

  static final Table<Record> EVENTS = table(name("outbox_events"));
  static final Field<Long> ID = events("id", SQLDataType.BIGINT);
  static final Field<UUID> EVENT_ID = events("event_id", SQLDataType.UUID);
  static final Field<UUID> TENANT_ID = events("tenant_id", SQLDataType.UUID);
  static final Field<String> AGGREGATE_TYPE = events("aggregate_type", SQLDataType.CLOB);
  static final Field<String> AGGREGATE_ID = events("aggregate_id", SQLDataType.CLOB);
  static final Field<Long> AGGREGATE_VERSION = events("aggregate_version", SQLDataType.BIGINT);
  static final Field<String> SUBJECT = events("subject", SQLDataType.CLOB);
  static final Field<String> EVENT_TYPE = events("event_type", SQLDataType.CLOB);
  static final Field<byte[]> ENVELOPE = events("envelope", SQLDataType.BLOB);
  static final Field<JSONB> HEADERS = events("headers", SQLDataType.JSONB);
  static final Field<OffsetDateTime> CREATE_TIME =
      events("create_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<Integer> ATTEMPTS = events("attempts", SQLDataType.INTEGER);
  static final Field<String> LAST_ERROR = events("last_error", SQLDataType.CLOB);
  static final Field<OffsetDateTime> NEXT_ATTEMPT_TIME =
      events("next_attempt_time", SQLDataType.TIMESTAMPWITHTIMEZONE);

  static final Table<Record> RELAYS = table(name("outbox_relays"));
  static final Field<String> R_INSTANCE_ID = relays("instance_id", SQLDataType.CLOB);
  static final Field<OffsetDateTime> R_START_TIME =
      relays("start_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<OffsetDateTime> R_HEARTBEAT_TIME =
      relays("heartbeat_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<OffsetDateTime> R_LAST_POLL_TIME =
      relays("last_poll_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<OffsetDateTime> R_LAST_PUBLISH_TIME =
      relays("last_publish_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<Long> R_PUBLISHED_COUNT = relays("published_count", SQLDataType.BIGINT);
  static final Field<Long> R_PUBLISHED_LAST_MINUTE =
      relays("published_last_minute", SQLDataType.BIGINT);
  static final Field<Integer> R_IN_FLIGHT = relays("in_flight", SQLDataType.INTEGER);
  static final Field<String> R_LAST_ERROR = relays("last_error", SQLDataType.CLOB);

  private OutboxTable() {}

  /**
   * The per-aggregate columns of {@code outbox_events} under an alias, for the claim query's look
   * at an aggregate's first pending rows.
   */
  record Alias(
      Table<Record> table, Field<Long> id, Field<String> aggregateType, Field<String> aggregateId) {

    static Alias of(String alias) {
      return new Alias(
          EVENTS.as(alias),
          field(name(alias, "id"), SQLDataType.BIGINT),
          field(name(alias, "aggregate_type"), SQLDataType.CLOB),
          field(name(alias, "aggregate_id"), SQLDataType.CLOB));
    }
  }

  private static <T> Field<T> events(String column, org.jooq.DataType<T> type) {
    return field(name("outbox_events", column), type);
  }

  private static <T> Field<T> relays(String column, org.jooq.DataType<T> type) {
    return field(name("outbox_relays", column), type);
  }
}
