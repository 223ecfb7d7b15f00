package dev.lattice.orders.store;

import static dev.lattice.orders.store.jooq.Tables.ORDERS;
import static dev.lattice.orders.store.jooq.Tables.ORDER_LINES;

import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderLine;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.Record;
import org.jooq.SelectForUpdateStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Orders with their lines: placing, locking, changing and reading them, as {@link Order}s. Every
 * query is filtered by tenant. Shared by placement, the lifecycle and the queries. Stateless;
 * callers pass the context (a transaction where they write).
 */
public final class OrderStore {

  private static final String REASON_PREFIX = "CANCELLATION_REASON_";

  private OrderStore() {}

  /** What ListOrders filters by; a null part does not filter. */
  public record Filter(
      UUID tenantId,
      UUID customerId,
      OrderState state,
      Instant createdFrom,
      Instant createdBefore) {}

  /** The keyset of {@link #page}: where the previous page ended. */
  public record Keyset(Instant createTime, UUID id) {}

  /**
   * The order {@code orderId} of {@code tenantId}, with its lines, read as that tenant under
   * row-level security in the query's own round trip ({@link RenderedStatement#readAsTenant}).
   */
  public static Optional<Order> find(DSLContext ctx, UUID tenantId, UUID orderId) {
    return FIND.readAsTenant(ctx, tenantId, OrderStore::withLines, orderId, tenantId);
  }

  /** The columns {@link #order} reads, in this order. */
  private static final List<Field<?>> ORDER_COLUMNS =
      List.of(
          ORDERS.ID,
          ORDERS.TENANT_ID,
          ORDERS.CUSTOMER_ID,
          ORDERS.STATUS,
          ORDERS.CURRENCY,
          ORDERS.TOTAL_AMOUNT_MINOR,
          ORDERS.CANCELLATION_REASON,
          ORDERS.CANCELLATION_NOTE,
          ORDERS.PAYMENT_ID,
          ORDERS.REFUND_ID,
          ORDERS.SHIPMENT_CARRIER,
          ORDERS.SHIPMENT_TRACKING_NUMBER,
          ORDERS.CREATE_TIME,
          ORDERS.UPDATE_TIME,
          ORDERS.PAY_TIME,
          ORDERS.PACK_TIME,
          ORDERS.SHIP_TIME,
          ORDERS.DELIVER_TIME,
          ORDERS.CANCEL_TIME,
          ORDERS.REFUND_TIME,
          ORDERS.VERSION);

  /** The columns {@link #line} reads, in this order. */
  private static final List<Field<?>> LINE_COLUMNS =
      List.of(
          ORDER_LINES.PRODUCT_ID,
          ORDER_LINES.SKU,
          ORDER_LINES.NAME,
          ORDER_LINES.QUANTITY,
          ORDER_LINES.UNIT_PRICE_AMOUNT_MINOR,
          ORDER_LINES.LINE_TOTAL_AMOUNT_MINOR);

  /**
   * An order with its lines joined, one row per line in line order: GetOrder and every event of the
   * saga read an order, and one round trip read straight from the result costs about half of two
   * read through jOOQ records (the GetOrder profile: mapping the records took twice the time of the
   * queries). These are rendered once.
   */
  private static SelectForUpdateStep<Record> orderWithLines() {
    List<Field<?>> columns = new ArrayList<>(ORDER_COLUMNS);
    columns.addAll(LINE_COLUMNS);
    return DSL.select(columns)
        .from(ORDERS)
        .leftJoin(ORDER_LINES)
        .on(ORDER_LINES.ORDER_ID.eq(ORDERS.ID))
        .and(ORDER_LINES.TENANT_ID.eq(ORDERS.TENANT_ID))
        .where(ORDERS.ID.eq(DSL.param("id", ORDERS.ID)))
        .and(ORDERS.TENANT_ID.eq(DSL.param("tenant_id", ORDERS.TENANT_ID)))
        .orderBy(ORDER_LINES.LINE_NUMBER);
  }

  private static final RenderedStatement FIND =
      RenderedStatement.of(orderWithLines(), "id", "tenant_id");

  /**
   * Locks FOR UPDATE, in id order, the orders among {@code orderIds} whose tenant is among {@code
   * tenantIds}: for a consumer that changes several orders in one transaction, before it changes
   * any, so that two such transactions wait for each other instead of deadlocking. Each order's own
   * {@link #lock} then finds it held.
   *
   * @return how many orders were locked
   */
  public static int lockAll(DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> orderIds) {
    if (orderIds.isEmpty()) {
      return 0;
    }
    return LOCK_ALL
        .fetch(
            tx,
            rs -> Boolean.TRUE,
            (Object) orderIds.toArray(UUID[]::new),
            (Object) tenantIds.toArray(UUID[]::new))
        .size();
  }

  private static final RenderedStatement LOCK_ALL =
      RenderedStatement.of(
          DSL.select(ORDERS.ID)
              .from(ORDERS)
              .where(ORDERS.ID.eq(DSL.any(DSL.param("ids", SQLDataType.UUID.array()))))
              .and(ORDERS.TENANT_ID.eq(DSL.any(DSL.param("tenant_ids", SQLDataType.UUID.array()))))
              .orderBy(ORDERS.ID)
              .forUpdate(),
          "ids",
          "tenant_ids");

  /** The lines are never changed: only the order's row is locked. */
  private static final RenderedStatement LOCK =
      RenderedStatement.of(orderWithLines().forUpdate().of(ORDERS), "id", "tenant_id");

  private static final RenderedStatement LINES =
      RenderedStatement.of(
          DSL.select(ORDER_LINES.ORDER_ID)
              .select(LINE_COLUMNS)
              .from(ORDER_LINES)
              .where(ORDER_LINES.TENANT_ID.eq(DSL.param("tenant_id", ORDER_LINES.TENANT_ID)))
              .and(
                  ORDER_LINES.ORDER_ID.eq(
                      DSL.any(DSL.param("order_ids", SQLDataType.UUID.array()))))
              .orderBy(ORDER_LINES.ORDER_ID, ORDER_LINES.LINE_NUMBER),
          "tenant_id",
          "order_ids");

  /**
   * How many orders of every tenant wait for their saga (status {@code CREATED}): read through the
   * partial index of waiting orders, on a transaction that sees every tenant ({@code
   * Transactions.acrossTenants}, the saga admission of decision 0021).
   */
  public static int countAwaitingSaga(DSLContext tx) {
    return tx.fetchCount(ORDERS, ORDERS.STATUS.eq(OrderState.CREATED.name()));
  }

  /**
   * The order {@code orderId} of {@code tenantId}, with its lines, locked FOR UPDATE until {@code
   * tx} ends.
   */
  public static Optional<Order> lock(DSLContext tx, UUID tenantId, UUID orderId) {
    return LOCK.read(tx, OrderStore::withLines, orderId, tenantId);
  }

  /**
   * One page of the orders matching {@code filter}, newest first: {@code (create_time, id)}
   * descending, after the keyset {@code after} when given; each with its lines.
   */
  public static List<Order> page(DSLContext ctx, Filter filter, Optional<Keyset> after, int limit) {
    List<Condition> where = conditions(filter);
    after.ifPresent(
        keyset ->
            where.add(
                DSL.row(ORDERS.CREATE_TIME, ORDERS.ID).lt(utc(keyset.createTime()), keyset.id())));
    List<Order> rows =
        ResultSets.fetch(
            ctx.select(ORDER_COLUMNS)
                .from(ORDERS)
                .where(where)
                .orderBy(ORDERS.CREATE_TIME.desc(), ORDERS.ID.desc())
                .limit(limit),
            OrderStore::order);
    Map<UUID, List<OrderLine>> lines =
        lines(ctx, filter.tenantId(), rows.stream().map(Order::id).toList());
    return rows.stream().map(order -> order.withLines(lines.get(order.id()))).toList();
  }

  /** Stores a newly placed order and its lines, numbered from 1 in list order. */
  public static void insert(DSLContext tx, Order order) {
    INSERT_ORDER.execute(
        tx,
        order.id(),
        order.tenantId(),
        order.customerId(),
        order.state().name(),
        order.currency(),
        order.totalAmountMinor(),
        order.cancellationNote(),
        utc(order.createTime()),
        utc(order.updateTime()),
        order.version());
    List<Object[]> lines = new ArrayList<>(order.lines().size());
    for (int i = 0; i < order.lines().size(); i++) {
      OrderLine line = order.lines().get(i);
      lines.add(
          new Object[] {
            order.id(),
            i + 1,
            order.tenantId(),
            line.productId(),
            line.sku(),
            line.name(),
            line.quantity(),
            line.unitPriceAmountMinor(),
            line.lineTotalAmountMinor()
          });
    }
    INSERT_LINE.executeBatch(tx, lines);
  }

  // Every CreateOrder runs these two: rendered once.
  private static final List<Field<?>> INSERT_ORDER_COLUMNS =
      List.of(
          ORDERS.ID,
          ORDERS.TENANT_ID,
          ORDERS.CUSTOMER_ID,
          ORDERS.STATUS,
          ORDERS.CURRENCY,
          ORDERS.TOTAL_AMOUNT_MINOR,
          ORDERS.CANCELLATION_NOTE,
          ORDERS.CREATE_TIME,
          ORDERS.UPDATE_TIME,
          ORDERS.VERSION);

  private static final RenderedStatement INSERT_ORDER =
      RenderedStatement.of(
          DSL.insertInto(ORDERS, INSERT_ORDER_COLUMNS)
              .values(RenderedStatement.parametersFor(INSERT_ORDER_COLUMNS)),
          RenderedStatement.namesOf(INSERT_ORDER_COLUMNS));

  private static final List<Field<?>> INSERT_LINE_COLUMNS =
      List.of(
          ORDER_LINES.ORDER_ID,
          ORDER_LINES.LINE_NUMBER,
          ORDER_LINES.TENANT_ID,
          ORDER_LINES.PRODUCT_ID,
          ORDER_LINES.SKU,
          ORDER_LINES.NAME,
          ORDER_LINES.QUANTITY,
          ORDER_LINES.UNIT_PRICE_AMOUNT_MINOR,
          ORDER_LINES.LINE_TOTAL_AMOUNT_MINOR);

  private static final RenderedStatement INSERT_LINE =
      RenderedStatement.of(
          DSL.insertInto(ORDER_LINES, INSERT_LINE_COLUMNS)
              .values(RenderedStatement.parametersFor(INSERT_LINE_COLUMNS)),
          RenderedStatement.namesOf(INSERT_LINE_COLUMNS));

  /** Stores a status change of {@code order}: its status, version and what the change set. */
  public static void update(DSLContext tx, Order order) {
    UPDATE.execute(
        tx,
        order.state().name(),
        order.version(),
        utc(order.updateTime()),
        order.paymentId(),
        utc(order.payTime()),
        utc(order.packTime()),
        order.shipmentCarrier(),
        order.shipmentTrackingNumber(),
        utc(order.shipTime()),
        utc(order.deliverTime()),
        storedReason(order.cancellationReason()),
        order.cancellationNote(),
        utc(order.cancelTime()),
        order.refundId(),
        utc(order.refundTime()),
        order.id(),
        order.tenantId());
  }

  // Every status change runs this, so does every saga event that moves an order: rendered once.
  // Built and rendered by jOOQ on each, it was 1% of the mesh's samples under the saga load.
  private static final List<Field<?>> UPDATE_COLUMNS =
      List.of(
          ORDERS.STATUS,
          ORDERS.VERSION,
          ORDERS.UPDATE_TIME,
          ORDERS.PAYMENT_ID,
          ORDERS.PAY_TIME,
          ORDERS.PACK_TIME,
          ORDERS.SHIPMENT_CARRIER,
          ORDERS.SHIPMENT_TRACKING_NUMBER,
          ORDERS.SHIP_TIME,
          ORDERS.DELIVER_TIME,
          ORDERS.CANCELLATION_REASON,
          ORDERS.CANCELLATION_NOTE,
          ORDERS.CANCEL_TIME,
          ORDERS.REFUND_ID,
          ORDERS.REFUND_TIME);

  private static final RenderedStatement UPDATE = updateStatement();

  /** Sets each of {@link #UPDATE_COLUMNS} to a parameter named after it, then id and tenant. */
  private static RenderedStatement updateStatement() {
    Map<Field<?>, Object> values = new LinkedHashMap<>();
    List<Param<?>> params = RenderedStatement.parametersFor(UPDATE_COLUMNS);
    for (int i = 0; i < UPDATE_COLUMNS.size(); i++) {
      values.put(UPDATE_COLUMNS.get(i), params.get(i));
    }
    List<String> names = new ArrayList<>(List.of(RenderedStatement.namesOf(UPDATE_COLUMNS)));
    names.add("id");
    names.add("tenant_id");
    return RenderedStatement.of(
        DSL.update(ORDERS)
            .set(values)
            .where(ORDERS.ID.eq(DSL.param("id", ORDERS.ID)))
            .and(ORDERS.TENANT_ID.eq(DSL.param("tenant_id", ORDERS.TENANT_ID))),
        names.toArray(String[]::new));
  }

  /**
   * The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds; null
   * for null.
   */
  static OffsetDateTime utc(Instant instant) {
    return instant == null
        ? null
        : OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static List<Condition> conditions(Filter filter) {
    List<Condition> where = new ArrayList<>();
    where.add(ORDERS.TENANT_ID.eq(filter.tenantId()));
    if (filter.customerId() != null) {
      where.add(ORDERS.CUSTOMER_ID.eq(filter.customerId()));
    }
    if (filter.state() != null) {
      where.add(ORDERS.STATUS.eq(filter.state().name()));
    }
    if (filter.createdFrom() != null) {
      where.add(ORDERS.CREATE_TIME.ge(utc(filter.createdFrom())));
    }
    if (filter.createdBefore() != null) {
      where.add(ORDERS.CREATE_TIME.lt(utc(filter.createdBefore())));
    }
    return where;
  }

  /** The order of a {@link #FIND} or {@link #LOCK} result, with its lines; empty for none. */
  private static Optional<Order> withLines(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      return Optional.empty();
    }
    Order order = order(rs);
    int firstLineColumn = ORDER_COLUMNS.size() + 1;
    List<OrderLine> lines = new ArrayList<>();
    do {
      if (rs.getObject(firstLineColumn) != null) { // an order without lines joins one null line
        lines.add(line(rs, firstLineColumn));
      }
    } while (rs.next());
    return Optional.of(order.withLines(lines));
  }

  /** The lines of {@code orderIds}, by order, each in line-number order. */
  private static Map<UUID, List<OrderLine>> lines(
      DSLContext ctx, UUID tenantId, Collection<UUID> orderIds) {
    Map<UUID, List<OrderLine>> byOrder = new LinkedHashMap<>();
    orderIds.forEach(id -> byOrder.put(id, new ArrayList<>()));
    LINES.fetch(
        ctx,
        rs -> byOrder.get(rs.getObject(1, UUID.class)).add(line(rs, 2)),
        tenantId,
        orderIds.toArray(UUID[]::new));
    return byOrder;
  }

  /** The order of the current row, whose first columns are {@link #ORDER_COLUMNS}; no lines. */
  private static Order order(ResultSet rs) throws SQLException {
    return new Order(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getObject(3, UUID.class),
        OrderState.valueOf(rs.getString(4)),
        rs.getString(5),
        rs.getLong(6),
        List.of(),
        reason(rs.getString(7)),
        rs.getString(8),
        rs.getObject(9, UUID.class),
        rs.getObject(10, UUID.class),
        rs.getString(11),
        rs.getString(12),
        instant(rs, 13),
        instant(rs, 14),
        instant(rs, 15),
        instant(rs, 16),
        instant(rs, 17),
        instant(rs, 18),
        instant(rs, 19),
        instant(rs, 20),
        rs.getLong(21));
  }

  /** The line of the current row, whose columns from {@code first} on are {@link #LINE_COLUMNS}. */
  private static OrderLine line(ResultSet rs, int first) throws SQLException {
    return new OrderLine(
        rs.getObject(first, UUID.class),
        rs.getString(first + 1),
        rs.getString(first + 2),
        rs.getInt(first + 3),
        rs.getLong(first + 4),
        rs.getLong(first + 5));
  }

  /** The stored form of a reason: the enum name without its prefix; null for UNSPECIFIED. */
  private static String storedReason(CancellationReason reason) {
    return reason == CancellationReason.CANCELLATION_REASON_UNSPECIFIED
        ? null
        : reason.name().substring(REASON_PREFIX.length());
  }

  private static CancellationReason reason(String stored) {
    return stored == null
        ? CancellationReason.CANCELLATION_REASON_UNSPECIFIED
        : CancellationReason.valueOf(REASON_PREFIX + stored);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
    return time == null ? null : time.toInstant();
  }
}
