package dev.lattice.inventory.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.outbox.OutboxWriter;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.PostgresExtension;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reserving several orders in one transaction, as inventory's OrderCreated consumer does for a
 * batch: the rows are locked before any write, and each order is decided from what the earlier ones
 * left.
 */
class LockedStockIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static Database db;
  static Reservations reservations;
  static ReservationTransitions transitions;

  UUID tenant;

  @BeforeAll
  static void open() {
    db =
        Database.open(
            DbConfig.of(postgres.jdbcUrl(), postgres.user(), "", "locked-stock-it")
                .withPoolSize(4));
    Migrations.migrate(db.dataSource(), ServiceRuntime.migrationLocation("inventory"));
    OutboxWriter outbox =
        new OutboxWriter(
            "inventory",
            new TraceHeaders(W3CTraceContextPropagator.getInstance()),
            Clock.systemUTC(),
            new UuidV7Generator());
    InventoryEvents events = new InventoryEvents(outbox);
    reservations = new Reservations(events, Duration.ofMinutes(15), Clock.systemUTC());
    transitions = new ReservationTransitions(events, Duration.ofMinutes(15), Clock.systemUTC());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void newTenant() {
    tenant = UUID.randomUUID();
  }

  @Test
  void oneTransaction_decidesEachOrder_fromWhatTheEarlierOnesLeft() throws Exception {
    UUID a = product(5);
    UUID b = product(1);
    UUID deleted = product(9);
    db.dsl().execute("update products set delete_time = now() where id = ?", deleted);
    ReservationRequest first = request(line(a, 2));
    ReservationRequest second = request(line(a, 1), line(b, 1), line(a, 1));
    ReservationRequest tooMany = request(line(a, 2));
    ReservationRequest unavailable = request(line(deleted, 1), line(a, 1), line(b, 1));
    ReservationRequest again = new ReservationRequest(tenant, first.orderId(), first.lines());
    List<ReservationRequest> batch = List.of(first, second, tooMany, unavailable, again);

    db.dsl()
        .transaction(
            c -> {
              DSLContext tx = c.dsl();
              LockedStock locked = reservations.lock(tx, batch);
              for (ReservationRequest request : batch) {
                reservations.reserve(tx, locked, request, UUID.randomUUID().toString());
              }
            });

    assertThat(stock(a)).containsExactly(1L, 4L, 0L);
    assertThat(stock(b)).containsExactly(0L, 1L, 0L);
    assertThat(count("select count(*) from reservations where tenant_id = ?")).isEqualTo(2);
    assertThat(count("select count(*) from reservation_lines where tenant_id = ?")).isEqualTo(3);
    List<Envelope> written = outbox();
    assertThat(written).hasSize(4);
    assertThat(reserved(written, first).getLinesList()).hasSize(1);
    assertThat(reserved(written, second).getLinesList()).hasSize(2);
    StockRejected short_ = rejected(written, tooMany);
    assertThat(short_.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK);
    assertThat(short_.getShortLinesList()).containsExactly(shortLine(a, 2, 1));
    StockRejected gone = rejected(written, unavailable);
    assertThat(gone.getReason())
        .isEqualTo(StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE);
    assertThat(gone.getShortLinesList())
        .containsExactlyInAnyOrder(shortLine(deleted, 1, 0), shortLine(b, 1, 0));
  }

  @Test
  void theWholeBatchIsLocked_beforeAnyWrite_andAnOrderReservedBeforeIsLeftAlone() throws Exception {
    UUID a = product(5);
    UUID b = product(5);
    ReservationRequest earlier = request(line(a, 1));
    db.dsl()
        .transaction(
            c ->
                reservations.reserve(
                    c.dsl(), reservations.lock(c.dsl(), List.of(earlier)), earlier, "e1"));
    ReservationRequest later = request(line(b, 1));
    ReservationRequest repeated =
        new ReservationRequest(tenant, earlier.orderId(), List.of(line(a, 3)));

    db.dsl()
        .transaction(
            c -> {
              DSLContext tx = c.dsl();
              LockedStock locked = reservations.lock(tx, List.of(repeated, later));
              // Both products' stock rows and the reserved order's row are held already.
              assertThat(lockedElsewhere("select 1 from stock where product_id = ?", a)).isTrue();
              assertThat(lockedElsewhere("select 1 from stock where product_id = ?", b)).isTrue();
              assertThat(
                      lockedElsewhere(
                          "select 1 from reservations where order_id = ?", earlier.orderId()))
                  .isTrue();
              reservations.reserve(tx, locked, repeated, "e2");
              reservations.reserve(tx, locked, later, "e3");
            });

    assertThat(stock(a)).containsExactly(4L, 1L, 0L);
    assertThat(stock(b)).containsExactly(4L, 1L, 0L);
    assertThat(count("select count(*) from reservations where tenant_id = ?")).isEqualTo(2);
  }

  @Test
  void transitionsOfABatch_lockEveryReservationAndItsStock_beforeAnyMove() throws Exception {
    UUID a = product(5);
    UUID b = product(5);
    UUID c = product(5);
    ReservationRequest first = request(line(b, 1), line(a, 1));
    ReservationRequest second = request(line(c, 2));
    db.dsl()
        .transaction(
            t -> {
              LockedStock locked = reservations.lock(t.dsl(), List.of(first, second));
              reservations.reserve(t.dsl(), locked, first, "e1");
              reservations.reserve(t.dsl(), locked, second, "e2");
            });
    UUID unreserved = UUID.randomUUID();

    db.dsl()
        .transaction(
            t -> {
              DSLContext tx = t.dsl();
              int found =
                  transitions.lockAll(
                      tx, List.of(tenant), List.of(first.orderId(), second.orderId(), unreserved));
              assertThat(found).isEqualTo(2);
              for (UUID product : List.of(a, b, c)) {
                assertThat(lockedElsewhere("select 1 from stock where product_id = ?", product))
                    .as("stock of %s", product)
                    .isTrue();
              }
              for (UUID order : List.of(first.orderId(), second.orderId())) {
                assertThat(lockedElsewhere("select 1 from reservations where order_id = ?", order))
                    .isTrue();
              }
              transitions.commit(tx, tenant, second.orderId(), "e3");
              transitions.commit(tx, tenant, first.orderId(), "e4");
            });

    assertThat(stock(a)).containsExactly(4L, 0L, 1L);
    assertThat(stock(b)).containsExactly(4L, 0L, 1L);
    assertThat(stock(c)).containsExactly(3L, 0L, 2L);
  }

  @Test
  void anOrderItsTransactionDidNotLock_isRefused() throws Exception {
    UUID a = product(5);
    ReservationRequest locked = request(line(a, 1));
    ReservationRequest other = request(line(a, 1));

    assertThatThrownBy(
            () ->
                db.dsl()
                    .transaction(
                        c ->
                            reservations.reserve(
                                c.dsl(), reservations.lock(c.dsl(), List.of(locked)), other, "e1")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(stock(a)).containsExactly(5L, 0L, 0L);
  }

  private UUID product(long available) {
    UUID id = UUID.randomUUID();
    db.dsl()
        .execute(
            "insert into products (id, tenant_id, sku, name, price_amount_minor, currency)"
                + " values (?, ?, ?, 'Widget', 100, 'EUR')",
            id,
            tenant,
            "SKU-" + id.toString().substring(0, 8));
    db.dsl()
        .execute(
            "insert into stock (product_id, tenant_id, available) values (?, ?, ?)",
            id,
            tenant,
            available);
    return id;
  }

  private ReservationRequest request(ReservationLine... lines) {
    return new ReservationRequest(tenant, UUID.randomUUID(), List.of(lines));
  }

  private static ReservationLine line(UUID product, long quantity) {
    return new ReservationLine(product, quantity);
  }

  private static ShortLine shortLine(UUID product, long requested, long available) {
    return ShortLine.newBuilder()
        .setProductId(product.toString())
        .setRequested(requested)
        .setAvailable(available)
        .build();
  }

  private List<Long> stock(UUID product) {
    var row =
        db.dsl()
            .fetchOne("select available, reserved, sold from stock where product_id = ?", product);
    return List.of(row.get(0, Long.class), row.get(1, Long.class), row.get(2, Long.class));
  }

  private long count(String sql) {
    return db.dsl().fetchOne(sql, tenant).get(0, Long.class);
  }

  private List<Envelope> outbox() throws Exception {
    List<Envelope> envelopes = new ArrayList<>();
    for (var row :
        db.dsl()
            .fetch("select envelope from outbox_events where tenant_id = ? order by id", tenant)) {
      envelopes.add(Envelope.parseFrom(row.get(0, byte[].class)));
    }
    return envelopes;
  }

  private static StockReserved reserved(List<Envelope> written, ReservationRequest request)
      throws Exception {
    return eventOf(written, StockReserved.class, request, StockReserved::getOrderId);
  }

  private static StockRejected rejected(List<Envelope> written, ReservationRequest request)
      throws Exception {
    return eventOf(written, StockRejected.class, request, StockRejected::getOrderId);
  }

  /** The event of {@code type} written for {@code request}'s order. */
  private static <T extends Message> T eventOf(
      List<Envelope> written, Class<T> type, ReservationRequest request, Function<T, String> order)
      throws Exception {
    for (Envelope envelope : written) {
      if (envelope.getPayload().is(type)) {
        T event = envelope.getPayload().unpack(type);
        if (order.apply(event).equals(request.orderId().toString())) {
          return event;
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " for " + request.orderId());
  }

  /** Whether another session finds the row {@code sql} selects locked (FOR UPDATE NOWAIT). */
  private static boolean lockedElsewhere(String sql, UUID id) throws SQLException {
    try (Connection other = postgres.connect();
        PreparedStatement ps = other.prepareStatement(sql + " for update nowait")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row for " + id);
        }
        return false;
      } catch (SQLException e) {
        if ("55P03".equals(e.getSQLState())) {
          return true;
        }
        throw e;
      }
    }
  }
}
