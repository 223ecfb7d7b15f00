package dev.lattice.inventory.stock;

import static dev.lattice.inventory.store.jooq.Tables.RESERVATIONS;
import static dev.lattice.inventory.store.jooq.Tables.RESERVATION_LINES;
import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import dev.lattice.platform.errors.Versions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Reads and writes of reservations and their lines, as {@link Reservation}s and {@link
 * ReservationLine}s. Every method works in the caller's transaction and filters by tenant.
 *
 * <p>The statements the saga's events run, once or more per event, are rendered once ({@link
 * RenderedStatement}) and their rows read straight from the result: built, rendered and mapped by
 * jOOQ on every event they were a few percent of the mesh's CPU under the saga load. The expiry
 * job's claim (once per expired reservation, not per event) and the version read after a failed
 * update (the rare path) are built per call. Stateless; thread-safe.
 */
final class ReservationStore {

  private ReservationStore() {}

  /** The reservation of order {@code orderId}, locked FOR UPDATE, if there is one. */
  static Optional<Reservation> lockByOrder(DSLContext tx, UUID tenantId, UUID orderId) {
    return LOCK_BY_ORDER.fetchFirst(tx, ReservationStore::reservation, tenantId, orderId);
  }

  /**
   * The reservations of the orders among {@code orderIds} whose tenant is among {@code tenantIds},
   * as (tenant, order) to reservation id, each locked FOR UPDATE in order-id order: one statement
   * for the events of a consumer's batch. The caller matches the pairs it asked for.
   */
  static Map<LockedStock.Key, UUID> lockOrders(
      DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> orderIds) {
    Map<LockedStock.Key, UUID> found = new HashMap<>();
    LOCK_ORDERS.fetch(
        tx,
        rs ->
            found.put(
                new LockedStock.Key(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)),
                rs.getObject(3, UUID.class)),
        (Object) tenantIds.toArray(UUID[]::new),
        (Object) orderIds.toArray(UUID[]::new));
    return found;
  }

  // Both columns of the (tenant_id, order_id) key: an index scan; pairs are matched in Java.
  private static final RenderedStatement LOCK_ORDERS =
      RenderedStatement.of(
          DSL.select(RESERVATIONS.TENANT_ID, RESERVATIONS.ORDER_ID, RESERVATIONS.ID)
              .from(RESERVATIONS)
              .where(
                  RESERVATIONS.TENANT_ID.eq(
                      DSL.any(DSL.param("tenant_ids", SQLDataType.UUID.array()))))
              .and(
                  RESERVATIONS.ORDER_ID.eq(
                      DSL.any(DSL.param("order_ids", SQLDataType.UUID.array()))))
              .orderBy(RESERVATIONS.ORDER_ID)
              .forUpdate(),
          "tenant_ids",
          "order_ids");

  /**
   * Locks FOR UPDATE, in product-id order, the stock rows of the lines of {@code reservationIds}:
   * what their transitions will move, taken before any of them moves.
   */
  static void lockLineStock(DSLContext tx, Collection<UUID> reservationIds) {
    if (!reservationIds.isEmpty()) {
      LOCK_LINE_STOCK.fetch(tx, rs -> Boolean.TRUE, (Object) reservationIds.toArray(UUID[]::new));
    }
  }

  private static final RenderedStatement LOCK_LINE_STOCK =
      RenderedStatement.of(
          DSL.select(STOCK.PRODUCT_ID)
              .from(STOCK)
              .where(
                  STOCK.PRODUCT_ID.in(
                      DSL.select(RESERVATION_LINES.PRODUCT_ID)
                          .from(RESERVATION_LINES)
                          .where(
                              RESERVATION_LINES.RESERVATION_ID.eq(
                                  DSL.any(
                                      DSL.param("reservation_ids", SQLDataType.UUID.array()))))))
              .orderBy(STOCK.PRODUCT_ID)
              .forUpdate(),
          "reservation_ids");

  /** The columns {@link #reservation} reads, in this order. */
  private static final List<Field<?>> COLUMNS =
      List.of(
          RESERVATIONS.ID,
          RESERVATIONS.TENANT_ID,
          RESERVATIONS.ORDER_ID,
          RESERVATIONS.STATUS,
          RESERVATIONS.VERSION);

  // Every OrderPaid, OrderCancelled and OrderRefunded runs this: rendered once, its row read
  // straight from the result.
  private static final RenderedStatement LOCK_BY_ORDER =
      RenderedStatement.of(
          DSL.select(COLUMNS)
              .from(RESERVATIONS)
              .where(RESERVATIONS.TENANT_ID.eq(DSL.param("tenant_id", RESERVATIONS.TENANT_ID)))
              .and(RESERVATIONS.ORDER_ID.eq(DSL.param("order_id", RESERVATIONS.ORDER_ID)))
              .forUpdate(),
          "tenant_id",
          "order_id");

  /**
   * The ACTIVE reservation, of any tenant, that expired first and is not locked by another
   * transaction, locked FOR UPDATE; served by the partial index on {@code expire_time} of ACTIVE
   * reservations. SKIP LOCKED lets several replicas expire side by side, and skips a reservation
   * that an event handler holds (it will see the status that handler leaves).
   */
  static Optional<Reservation> claimDue(DSLContext tx, OffsetDateTime now) {
    return ResultSets.fetch(
            tx.select(COLUMNS)
                .from(RESERVATIONS)
                .where(RESERVATIONS.STATUS.eq(ReservationStatus.ACTIVE.name()))
                .and(RESERVATIONS.EXPIRE_TIME.le(now))
                .orderBy(RESERVATIONS.EXPIRE_TIME)
                .limit(1)
                .forUpdate()
                .skipLocked(),
            ReservationStore::reservation)
        .stream()
        .findFirst();
  }

  /**
   * Inserts a reservation in {@code status} and its lines unless order {@code orderId} has one
   * already.
   *
   * @return false, inserting nothing, when the order has a reservation (a concurrent insert for the
   *     same order waits for the other transaction and then finds it)
   */
  static boolean insert(
      DSLContext tx,
      UUID tenantId,
      UUID reservationId,
      UUID orderId,
      ReservationStatus status,
      List<ReservationLine> lines,
      OffsetDateTime now,
      OffsetDateTime expireTime) {
    int inserted =
        INSERT.execute(
            tx, reservationId, tenantId, orderId, status.name(), expireTime, now, now, 1L);
    if (inserted == 0) {
      return false;
    }
    if (lines.isEmpty()) {
      return true;
    }
    UUID[] productIds = new UUID[lines.size()];
    Long[] quantities = new Long[lines.size()];
    for (int i = 0; i < productIds.length; i++) {
      productIds[i] = lines.get(i).productId();
      quantities[i] = lines.get(i).quantity();
    }
    INSERT_LINES.execute(tx, reservationId, tenantId, productIds, quantities);
    return true;
  }

  // Every OrderCreated runs these two (and an OrderCancelled that overtook its OrderCreated, the
  // first): rendered once. A profile of the saga had building and rendering them at 2% of the
  // mesh's samples.
  private static final List<Field<?>> INSERT_COLUMNS =
      List.of(
          RESERVATIONS.ID,
          RESERVATIONS.TENANT_ID,
          RESERVATIONS.ORDER_ID,
          RESERVATIONS.STATUS,
          RESERVATIONS.EXPIRE_TIME,
          RESERVATIONS.CREATE_TIME,
          RESERVATIONS.UPDATE_TIME,
          RESERVATIONS.VERSION);

  private static final RenderedStatement INSERT =
      RenderedStatement.of(
          DSL.insertInto(RESERVATIONS, INSERT_COLUMNS)
              .values(RenderedStatement.parametersFor(INSERT_COLUMNS))
              .onConflict(RESERVATIONS.TENANT_ID, RESERVATIONS.ORDER_ID)
              .doNothing(),
          RenderedStatement.namesOf(INSERT_COLUMNS));

  /**
   * All the lines of a reservation in one statement, as the multi-row insert it replaces, but of
   * one SQL text for any number of lines: their products and quantities are two arrays, unnested
   * side by side into rows.
   */
  private static final RenderedStatement INSERT_LINES = insertLines();

  private static RenderedStatement insertLines() {
    Table<?> line =
        DSL.table(
                "unnest({0}, {1})",
                DSL.param("product_ids", SQLDataType.UUID.array()),
                DSL.param("quantities", SQLDataType.BIGINT.array()))
            .as("line", "product_id", "quantity");
    return RenderedStatement.of(
        DSL.insertInto(
                RESERVATION_LINES,
                RESERVATION_LINES.RESERVATION_ID,
                RESERVATION_LINES.PRODUCT_ID,
                RESERVATION_LINES.TENANT_ID,
                RESERVATION_LINES.QUANTITY)
            .select(
                DSL.select(
                        DSL.param("reservation_id", RESERVATION_LINES.RESERVATION_ID),
                        DSL.field(DSL.name("line", "product_id"), SQLDataType.UUID),
                        DSL.param("tenant_id", RESERVATION_LINES.TENANT_ID),
                        DSL.field(DSL.name("line", "quantity"), SQLDataType.BIGINT))
                    .from(line)),
        "reservation_id",
        "tenant_id",
        "product_ids",
        "quantities");
  }

  /** The lines of {@code reservation}, in product-id order. */
  static List<ReservationLine> lines(DSLContext tx, Reservation reservation) {
    return LINES.fetch(
        tx,
        rs -> new ReservationLine(rs.getObject(1, UUID.class), rs.getLong(2)),
        reservation.id(),
        reservation.tenantId());
  }

  // Every OrderPaid, OrderCancelled and OrderRefunded reads these: rendered once.
  private static final RenderedStatement LINES =
      RenderedStatement.of(
          DSL.select(RESERVATION_LINES.PRODUCT_ID, RESERVATION_LINES.QUANTITY)
              .from(RESERVATION_LINES)
              .where(
                  RESERVATION_LINES.RESERVATION_ID.eq(
                      DSL.param("reservation_id", RESERVATION_LINES.RESERVATION_ID)))
              .and(
                  RESERVATION_LINES.TENANT_ID.eq(
                      DSL.param("tenant_id", RESERVATION_LINES.TENANT_ID)))
              .orderBy(RESERVATION_LINES.PRODUCT_ID),
          "reservation_id",
          "tenant_id");

  /**
   * Moves {@code reservation} to {@code status} (or keeps its status) at its version plus one. The
   * row is locked by the caller; the version condition states the optimistic contract all the same.
   *
   * @return the reservation as it is now
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH if the row changed
   */
  static Reservation update(
      DSLContext tx, Reservation reservation, ReservationStatus status, OffsetDateTime now) {
    long read = reservation.version();
    int updated =
        UPDATE.execute(
            tx, status.name(), now, read + 1, reservation.id(), reservation.tenantId(), read);
    if (updated == 0) {
      Versions.require("reservation", currentVersion(tx, reservation), read);
    }
    return reservation.movedTo(status);
  }

  // Every transition runs this: rendered once.
  private static final RenderedStatement UPDATE =
      RenderedStatement.of(
          DSL.update(RESERVATIONS)
              .set(RESERVATIONS.STATUS, DSL.param("status", RESERVATIONS.STATUS))
              .set(RESERVATIONS.UPDATE_TIME, DSL.param("update_time", RESERVATIONS.UPDATE_TIME))
              .set(RESERVATIONS.VERSION, DSL.param("version", RESERVATIONS.VERSION))
              .where(RESERVATIONS.ID.eq(DSL.param("id", RESERVATIONS.ID)))
              .and(RESERVATIONS.TENANT_ID.eq(DSL.param("tenant_id", RESERVATIONS.TENANT_ID)))
              .and(RESERVATIONS.VERSION.eq(DSL.param("read_version", RESERVATIONS.VERSION))),
          "status",
          "update_time",
          "version",
          "id",
          "tenant_id",
          "read_version");

  private static long currentVersion(DSLContext tx, Reservation reservation) {
    Long version =
        tx.select(RESERVATIONS.VERSION)
            .from(RESERVATIONS)
            .where(RESERVATIONS.ID.eq(reservation.id()))
            .fetchOne(RESERVATIONS.VERSION);
    return version == null ? 0 : version;
  }

  /** The reservation of the current row, whose columns are {@link #COLUMNS}. */
  private static Reservation reservation(ResultSet rs) throws SQLException {
    return new Reservation(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getObject(3, UUID.class),
        ReservationStatus.valueOf(rs.getString(4)),
        rs.getLong(5));
  }
}
