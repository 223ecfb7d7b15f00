package dev.lattice.inventory.stock;

import static dev.lattice.inventory.store.jooq.Tables.RESERVATIONS;
import static dev.lattice.inventory.store.jooq.Tables.RESERVATION_LINES;
import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import dev.lattice.inventory.store.jooq.tables.records.ReservationsRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.errors.Versions;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Reads and writes of reservations and their lines, as {@link Reservation}s and {@link
 * ReservationLine}s. Every method works in the caller's transaction and filters by tenant.
 * Stateless; thread-safe.
 */
final class ReservationStore {

  private ReservationStore() {}

  /** The reservation of order {@code orderId}, locked FOR UPDATE, if there is one. */
  static Optional<Reservation> lockByOrder(DSLContext tx, UUID tenantId, UUID orderId) {
    return LOCK_BY_ORDER.fetchInto(tx, RESERVATIONS, tenantId, orderId).stream()
        .findFirst()
        .map(ReservationStore::reservation);
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

  // Every OrderCreated, OrderPaid and OrderCancelled runs this: rendered once.
  private static final RenderedStatement LOCK_BY_ORDER =
      RenderedStatement.of(
          DSL.selectFrom(RESERVATIONS)
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
    return tx.selectFrom(RESERVATIONS)
        .where(RESERVATIONS.STATUS.eq(ReservationStatus.ACTIVE.name()))
        .and(RESERVATIONS.EXPIRE_TIME.le(now))
        .orderBy(RESERVATIONS.EXPIRE_TIME)
        .limit(1)
        .forUpdate()
        .skipLocked()
        .fetchOptional()
        .map(ReservationStore::reservation);
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
        tx.insertInto(RESERVATIONS)
            .set(RESERVATIONS.ID, reservationId)
            .set(RESERVATIONS.TENANT_ID, tenantId)
            .set(RESERVATIONS.ORDER_ID, orderId)
            .set(RESERVATIONS.STATUS, status.name())
            .set(RESERVATIONS.EXPIRE_TIME, expireTime)
            .set(RESERVATIONS.CREATE_TIME, now)
            .set(RESERVATIONS.UPDATE_TIME, now)
            .set(RESERVATIONS.VERSION, 1L)
            .onConflict(RESERVATIONS.TENANT_ID, RESERVATIONS.ORDER_ID)
            .doNothing()
            .execute();
    if (inserted == 0) {
      return false;
    }
    if (lines.isEmpty()) {
      return true;
    }
    var insert =
        tx.insertInto(
            RESERVATION_LINES,
            RESERVATION_LINES.RESERVATION_ID,
            RESERVATION_LINES.PRODUCT_ID,
            RESERVATION_LINES.TENANT_ID,
            RESERVATION_LINES.QUANTITY);
    for (ReservationLine line : lines) {
      insert = insert.values(reservationId, line.productId(), tenantId, line.quantity());
    }
    insert.execute();
    return true;
  }

  /** The lines of {@code reservation}, in product-id order. */
  static List<ReservationLine> lines(DSLContext tx, Reservation reservation) {
    return tx.select(RESERVATION_LINES.PRODUCT_ID, RESERVATION_LINES.QUANTITY)
        .from(RESERVATION_LINES)
        .where(RESERVATION_LINES.RESERVATION_ID.eq(reservation.id()))
        .and(RESERVATION_LINES.TENANT_ID.eq(reservation.tenantId()))
        .orderBy(RESERVATION_LINES.PRODUCT_ID)
        .fetch(row -> new ReservationLine(row.value1(), row.value2()));
  }

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
        tx.update(RESERVATIONS)
            .set(RESERVATIONS.STATUS, status.name())
            .set(RESERVATIONS.UPDATE_TIME, now)
            .set(RESERVATIONS.VERSION, read + 1)
            .where(RESERVATIONS.ID.eq(reservation.id()))
            .and(RESERVATIONS.TENANT_ID.eq(reservation.tenantId()))
            .and(RESERVATIONS.VERSION.eq(read))
            .execute();
    if (updated == 0) {
      Versions.require("reservation", currentVersion(tx, reservation), read);
    }
    return reservation.movedTo(status);
  }

  private static long currentVersion(DSLContext tx, Reservation reservation) {
    Long version =
        tx.select(RESERVATIONS.VERSION)
            .from(RESERVATIONS)
            .where(RESERVATIONS.ID.eq(reservation.id()))
            .fetchOne(RESERVATIONS.VERSION);
    return version == null ? 0 : version;
  }

  private static Reservation reservation(ReservationsRecord row) {
    return new Reservation(
        row.getId(),
        row.getTenantId(),
        row.getOrderId(),
        ReservationStatus.valueOf(row.getStatus()),
        row.getVersion());
  }
}
