package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.TENANT;
import static dev.lattice.platform.outbox.OutboxTestSupport.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.HeaderJson;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.testing.PostgresExtension;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxWriterIT {

  @RegisterExtension static final PostgresExtension pg = OutboxTestSupport.migratedPostgres();

  private static final Instant NOW = Instant.parse("2026-11-23T10:15:30.123456Z");
  private static Database db;
  private static OutboxWriter writer;

  @BeforeAll
  static void open() {
    db = OutboxTestSupport.open(pg, "writer-it", 4);
    writer =
        new OutboxWriter(
            "orders",
            new TraceHeaders(W3CTraceContextPropagator.getInstance()),
            Clock.fixed(NOW, ZoneOffset.UTC),
            new UuidV7Generator());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void append_insideTransaction_storesTheEnvelopeAndTheTraceContext() throws Exception {
    DSLContext dsl = db.dsl();
    Span span =
        SdkTracerProvider.builder().build().get("test").spanBuilder("CreateOrder").startSpan();
    EventRecord written;
    try (Scope ignored = span.makeCurrent()) {
      written = dsl.transactionResult(c -> writer.append(c.dsl(), event("o-1", 3)));
    }
    span.end();

    Record row =
        dsl.selectFrom(OutboxTable.EVENTS)
            .where(OutboxTable.EVENT_ID.eq(written.eventId()))
            .fetchOne();
    Envelope stored = Envelope.parseFrom(row.get(OutboxTable.ENVELOPE));
    assertThat(stored).isEqualTo(written.envelope());
    assertThat(written.eventId().version()).isEqualTo(7);
    assertThat(stored.getEventId()).isEqualTo(written.eventId().toString());
    assertThat(stored.getType()).isEqualTo("lattice.orders.order_packed");
    assertThat(stored.getSource()).isEqualTo("orders");
    assertThat(stored.getTenantId()).isEqualTo(TENANT.toString());
    assertThat(stored.getAggregateType()).isEqualTo("order");
    assertThat(stored.getAggregateId()).isEqualTo("o-1");
    assertThat(stored.getAggregateVersion()).isEqualTo(3);
    assertThat(stored.getOccurredAt().getSeconds()).isEqualTo(NOW.getEpochSecond());
    assertThat(stored.getOccurredAt().getNanos()).isEqualTo(NOW.getNano());
    assertThat(stored.getPayload().unpack(OrderPacked.class).getOrderId()).isEqualTo("o-1");
    assertThat(row.get(OutboxTable.SUBJECT)).isEqualTo("lattice.orders.order_packed");
    assertThat(row.get(OutboxTable.EVENT_TYPE)).isEqualTo("lattice.orders.v1.OrderPacked");
    assertThat(row.get(OutboxTable.AGGREGATE_VERSION)).isEqualTo(3L);
    assertThat(row.get(OutboxTable.ATTEMPTS)).isZero();
    assertThat(row.get(OutboxTable.ID)).isEqualTo(written.outboxId());
    Map<String, String> headers = HeaderJson.decode(row.get(OutboxTable.HEADERS));
    assertThat(headers.get("traceparent")).contains(span.getSpanContext().getTraceId());
  }

  @Test
  void append_outsideATransaction_isRefused() {
    assertThatThrownBy(() -> writer.append(db.dsl(), event("o-2", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inside the transaction");
  }

  @Test
  void append_inARolledBackTransaction_leavesNoRow() {
    UUID[] id = new UUID[1];
    assertThatThrownBy(
            () ->
                db.dsl()
                    .transaction(
                        c -> {
                          id[0] = writer.append(c.dsl(), event("o-3", 1)).eventId();
                          throw new IllegalStateException("business rule failed");
                        }))
        .hasMessageContaining("business rule failed");

    assertThat(db.dsl().fetchExists(OutboxTable.EVENTS, OutboxTable.EVENT_ID.eq(id[0]))).isFalse();
  }

  @Test
  void appendAll_keepsListOrderAsPublishOrder_andCausation() {
    OutboxEvent second =
        OutboxEvent.builder()
            .tenantId(TENANT)
            .aggregate("order", "o-4", 2)
            .actor(OutboxTestSupport.SYSTEM)
            .payload(OrderCancelled.newBuilder().setOrderId("o-4").build())
            .causationId("0190d8b0-0000-7000-8000-000000000001")
            .build();
    List<EventRecord> written =
        db.dsl()
            .transactionResult(c -> writer.appendAll(c.dsl(), List.of(event("o-4", 1), second)));

    assertThat(written.get(0).outboxId()).isLessThan(written.get(1).outboxId());
    assertThat(written.get(1).subject()).isEqualTo("lattice.orders.order_cancelled");
    assertThat(written.get(1).envelope().getCausationId())
        .isEqualTo("0190d8b0-0000-7000-8000-000000000001");
  }

  @Test
  void append_envelopeOverTheLimit_isRefused() {
    OutboxEvent huge =
        OutboxEvent.builder()
            .tenantId(TENANT)
            .aggregate("order", "o-5", 1)
            .actor(OutboxTestSupport.SYSTEM)
            .payload(
                OrderCancelled.newBuilder()
                    .setOrderId("o-5")
                    .setNoteBytes(ByteString.copyFrom(new byte[OutboxWriter.MAX_ENVELOPE_BYTES]))
                    .build())
            .build();

    assertThatThrownBy(() -> db.dsl().transaction(c -> writer.append(c.dsl(), huge)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }
}
