package dev.lattice.platform.idempotency;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The platform's {@code idempotency_keys} table ({@code db/platform/V3__idempotency.sql}) as typed
 * jOOQ objects. The platform has no generated jOOQ classes for its own tables, so this is the one
 * place its names and types are spelled out.
 */
final class IdempotencyTable {

  /** {@code state} of a key whose first call has not committed its result yet. */
  static final String IN_PROGRESS = "IN_PROGRESS";

  /** {@code state} of a key whose result is stored. */
  static final String COMPLETED = "COMPLETED";

  static final Table<Record> KEYS = table(name("idempotency_keys"));
  static final Field<UUID> TENANT_ID = column("tenant_id", SQLDataType.UUID);
  static final Field<String> CALLER = column("caller", SQLDataType.CLOB);
  static final Field<String> METHOD = column("method", SQLDataType.CLOB);
  static final Field<String> IDEMPOTENCY_KEY = column("idempotency_key", SQLDataType.CLOB);
  static final Field<byte[]> REQUEST_HASH = column("request_hash", SQLDataType.BLOB);
  static final Field<String> STATE = column("state", SQLDataType.CLOB);
  static final Field<UUID> CLAIM_TOKEN = column("claim_token", SQLDataType.UUID);
  static final Field<OffsetDateTime> LEASE_UNTIL =
      column("lease_until", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<byte[]> RESPONSE = column("response", SQLDataType.BLOB);
  static final Field<OffsetDateTime> CREATE_TIME =
      column("create_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<OffsetDateTime> COMPLETE_TIME =
      column("complete_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
  static final Field<OffsetDateTime> EXPIRE_TIME =
      column("expire_time", SQLDataType.TIMESTAMPWITHTIMEZONE);

  private IdempotencyTable() {}

  private static <T> Field<T> column(String column, DataType<T> type) {
    return field(name("idempotency_keys", column), type);
  }
}
