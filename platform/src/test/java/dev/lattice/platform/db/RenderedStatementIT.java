package dev.lattice.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.testing.PostgresExtension;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RenderedStatementIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final Table<?> T = DSL.table(DSL.name("rendered_it"));
  private static final Field<Long> ID = DSL.field(DSL.name("id"), SQLDataType.BIGINT);
  private static final Field<UUID> KEY = DSL.field(DSL.name("key"), SQLDataType.UUID);
  private static final Field<String> NOTE = DSL.field(DSL.name("note"), SQLDataType.CLOB);
  private static final Field<OffsetDateTime> AT =
      DSL.field(DSL.name("at"), SQLDataType.TIMESTAMPWITHTIMEZONE(6));
  private static final Field<JSONB> DOC = DSL.field(DSL.name("doc"), SQLDataType.JSONB);

  private static final RenderedStatement INSERT =
      RenderedStatement.of(
          DSL.insertInto(T, ID, KEY, NOTE, AT, DOC)
              .values(
                  DSL.param("id", ID),
                  DSL.param("key", KEY),
                  DSL.param("note", NOTE),
                  DSL.param("at", AT),
                  DSL.param("doc", DOC))
              .onConflictDoNothing(),
          "id",
          "key",
          "note",
          "at",
          "doc");
  private static final RenderedStatement SELECT_IN =
      RenderedStatement.of(
          DSL.select(ID, KEY, NOTE, AT, DOC)
              .from(T)
              .where(ID.eq(DSL.any(DSL.param("ids", SQLDataType.BIGINT.array()))))
              .orderBy(ID),
          "ids");

  private static Database database;
  private static DSLContext dsl;

  @BeforeAll
  static void open() {
    database = Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", "rendered-it"));
    dsl = database.dsl();
    dsl.execute(
        "create table rendered_it (id bigint primary key, key uuid not null, note text,"
            + " at timestamptz, doc jsonb)");
  }

  @AfterAll
  static void close() {
    database.close();
  }

  @BeforeEach
  void reset() {
    dsl.execute("truncate rendered_it");
  }

  record Row(long id, UUID key, String note, OffsetDateTime at, String doc) {}

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Row(
        rs.getLong(1),
        rs.getObject(2, UUID.class),
        rs.getString(3),
        rs.getObject(4, OffsetDateTime.class),
        rs.getString(5));
  }

  @Test
  void bindsEveryKindOfValue_andReadsThemBack() {
    UUID key = UUID.randomUUID();
    Instant at = Instant.parse("2026-12-05T10:15:30.123456Z");
    assertThat(INSERT.execute(dsl, 1L, key, "one", at, JSONB.valueOf("{\"a\": 1}"))).isOne();
    assertThat(INSERT.execute(dsl, 2L, UUID.randomUUID(), null, null, null)).isOne();
    // ON CONFLICT DO NOTHING: no row changed.
    assertThat(INSERT.execute(dsl, 1L, key, "again", at, null)).isZero();

    List<Row> rows =
        SELECT_IN.fetch(dsl, RenderedStatementIT::row, (Object) new Long[] {1L, 2L, 3L});

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0))
        .isEqualTo(
            new Row(1, key, "one", OffsetDateTime.ofInstant(at, ZoneOffset.UTC), "{\"a\": 1}"));
    assertThat(rows.get(1).note()).isNull();
    assertThat(rows.get(1).at()).isNull();
    Optional<Row> none = SELECT_IN.fetchFirst(dsl, RenderedStatementIT::row, (Object) new Long[0]);
    assertThat(none).isEmpty();
  }

  @Test
  void batchesRows_readsRecordsOfTheTable_andBindsTextArrays() {
    List<Field<?>> columns = List.of(ID, KEY, NOTE);
    RenderedStatement insert =
        RenderedStatement.of(
            DSL.insertInto(T, columns).values(RenderedStatement.parametersFor(columns)),
            RenderedStatement.namesOf(columns));
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    var record =
        DSL.using(org.jooq.SQLDialect.POSTGRES).newRecord(ID, KEY, NOTE).values(1L, first, "a");

    int[] counts =
        insert.executeBatch(
            dsl,
            List.of(
                RenderedStatement.valuesOf(record, columns),
                new Object[] {2L, second, "b"},
                new Object[] {3L, UUID.randomUUID(), "c"}));
    assertThat(counts).hasSize(3);
    for (int n : counts) {
      assertThat(n).isIn(1, java.sql.Statement.SUCCESS_NO_INFO);
    }
    assertThat(dsl.fetchCount(T)).isEqualTo(3);

    // The table as the database describes it: its fields in column order, as records of it.
    Table<?> described = dsl.meta().getTables("rendered_it").get(0);
    RenderedStatement byNotes =
        RenderedStatement.of(
            DSL.select(ID, KEY, NOTE, AT, DOC)
                .from(T)
                .where(NOTE.eq(DSL.any(DSL.param("notes", SQLDataType.CLOB.array()))))
                .orderBy(ID),
            "notes");
    var rows = byNotes.fetchInto(dsl, described, (Object) new String[] {"a", "b"});
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("key", UUID.class)).isEqualTo(first);
    assertThat(rows.get(1).get("note", String.class)).isEqualTo("b");
  }

  @Test
  void runsInTheCallersTransaction() {
    assertThatThrownBy(
            () ->
                Transactions.inTransaction(
                    dsl,
                    1,
                    tx -> {
                      INSERT.execute(tx, 7L, UUID.randomUUID(), "rolled back", null, null);
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessageContaining("roll back");
    assertThat(dsl.fetchCount(T)).isZero();
  }

  @Test
  void aDatabaseErrorIsADataAccessException_withTheSqlStateOfTheDriver() {
    assertThatThrownBy(() -> INSERT.execute(dsl, 1L, null, "no key", null, null))
        .isInstanceOf(DataAccessException.class)
        .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("23502"));
  }

  @Test
  void refusesParametersNamedOutOfOrder_orValuesNotMadeParameters() {
    var insert = DSL.insertInto(T, ID, KEY).values(DSL.param("id", ID), DSL.param("key", KEY));
    assertThatThrownBy(() -> RenderedStatement.of(insert, "key", "id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[id, key]");
    var inline = DSL.insertInto(T, ID, KEY).values(DSL.val(5L), DSL.param("key", KEY));
    assertThatThrownBy(() -> RenderedStatement.of(inline, "key"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> INSERT.execute(dsl, 1L, UUID.randomUUID()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 values expected, 2 given");
  }
}
