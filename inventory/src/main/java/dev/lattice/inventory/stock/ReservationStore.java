package dev.lattice.inventory.stock;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCTS;
import static dev.lattice.inventory.store.jooq.Tables.RESERVATIONS;
import static dev.lattice.inventory.store.jooq.Tables.RESERVATION_LINES;
import static dev.lattice.inventory.store.jooq.Tables.STOCK;

import dev.lattice.inventory.store.jooq.tables.records.ReservationsRecord;
import dev.lattice.platform.errors.Versions;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Reads and writes of reservations, their lines and the facts about products a reservation needs.
 * Every method works in the caller's transaction and filters by tenant.
 */
final class ReservationStore {

  private ReservationStore() {}

  /** The reservation of order {@code orderId}, locked FOR UPDATE, if there is one. */
  static Optional<ReservationsRecord> lockByOrder(DSLContext tx, UUID tenantId, UUID orderId) {
    return tx.selectFrom(RESERVATIONS)
        .where(RESERVATIONS.TENANT_ID.eq(tenantId))
        .and(RESERVATIONS.ORDER_ID.eq(orderId))
        .forUpdate()
        .fetchOptional();
  }

  /**
   * The ACTIVE reservation, of any tenant, that expired first and is not locked by another
   * transaction, locked FOR UPDATE; served by the partial index on {@code expire_time} of ACTIVE
   * reservations. SKIP LOCKED lets several replicas expire side by side, and skips a reservation
   * that an event handler holds (it will see the status that handler leaves).
   */
  static Optional<ReservationsRecord> claimDue(DSLContext tx, OffsetDateTime now) {
    return tx.selectFrom(RESERVATIONS)
        .where(RESERVATIONS.STATUS.eq(ReservationStatus.ACTIVE.name()))
        .and(RESERVATIONS.EXPIRE_TIME.le(now))
        .orderBy(RESERVATIONS.EXPIRE_TIME)
        .limit(1)
        .forUpdate()
        .skipLocked()
        .fetchOptional();
  }

  /**
   * Inserts a reservation in {@code status} and its lines unless order {@code orderId} has one
   * already.
   *
   * @return false, inserting nothing, when the order has a reservation (a concurrent insert for
   *     the same order waits for the other transaction and then finds it)
   */
  static boolean insert(
      DSLContext tx, UUID tenantId, UUID reservationId, UUID orderId, ReservationStatus status,
      List<ReservationLine> lines, OffsetDateTime now, OffsetDateTime expireTime) {
    int inserted = tx.insertInto(RESERVATIONS)
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
    var insert = tx.insertInto(RESERVATION_LINES,
        RESERVATION_LINES.RESERVATION_ID, RESERVATION_LINES.PRODUCT_ID,
        RESERVATION_LINES.TENANT_ID, RESERVATION_LINES.QUANTITY);
    for (ReservationLine line : lines) {
      insert = insert.values(reservationId, line.productId(), tenantId, line.quantity());
    }
    insert.execute();
    return true;
  }

  /** The lines of {@code reservation}, in product-id order. */
  static List<ReservationLine> lines(DSLContext tx, ReservationsRecord reservation) {
    return tx.select(RESERVATION_LINES.PRODUCT_ID, RESERVATION_LINES.QUANTITY)
        .from(RESERVATION_LINES)
        .where(RESERVATION_LINES.RESERVATION_ID.eq(reservation.getId()))
        .and(RESERVATION_LINES.TENANT_ID.eq(reservation.getTenantId()))
        .orderBy(RESERVATION_LINES.PRODUCT_ID)
        .fetch(row -> new ReservationLine(row.value1(), row.value2()));
  }

  /**
   * Moves {@code reservation} to {@code status} (or keeps its status) at its version plus one.
   * The row is locked by the caller; the version condition states the optimistic contract all the
   * same.
   *
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH if the row changed
   */
  static void update(
      DSLContext tx, ReservationsRecord reservation, ReservationStatus status, OffsetDateTime now) {
    long read = reservation.getVersion();
    int updated = tx.update(RESERVATIONS)
        .set(RESERVATIONS.STATUS, status.name())
        .set(RESERVATIONS.UPDATE_TIME, now)
        .set(RESERVATIONS.VERSION, read + 1)
        .where(RESERVATIONS.ID.eq(reservation.getId()))
        .and(RESERVATIONS.TENANT_ID.eq(reservation.getTenantId()))
        .and(RESERVATIONS.VERSION.eq(read))
        .execute();
    if (updated == 0) {
      Versions.require("reservation", currentVersion(tx, reservation), read);
    }
    reservation.setStatus(status.name());
    reservation.setUpdateTime(now);
    reservation.setVersion(read + 1);
  }

  /**
   * The products among {@code productIds} that are live in {@code tenantId}, with a KEY SHARE lock
   * so that a concurrent delete (which locks the product FOR UPDATE) waits for this transaction
   * and a reservation never holds a product deleted before it committed.
   */
  static Set<UUID> liveProducts(DSLContext tx, UUID tenantId, Collection<UUID> productIds) {
    return tx.select(PRODUCTS.ID)
        .from(PRODUCTS)
        .where(PRODUCTS.TENANT_ID.eq(tenantId))
        .and(PRODUCTS.ID.in(productIds))
        .and(PRODUCTS.DELETE_TIME.isNull())
        .orderBy(PRODUCTS.ID)
        .forKeyShare()
        .fetchSet(PRODUCTS.ID);
  }

  /** The available units of {@code productId} in {@code tenantId}; 0 without a stock row. */
  static long available(DSLContext tx, UUID tenantId, UUID productId) {
    Long available = tx.select(STOCK.AVAILABLE)
        .from(STOCK)
        .where(STOCK.PRODUCT_ID.eq(productId))
        .and(STOCK.TENANT_ID.eq(tenantId))
        .fetchOne(STOCK.AVAILABLE);
    return available == null ? 0 : available;
  }

  private static long currentVersion(DSLContext tx, ReservationsRecord reservation) {
    Long version = tx.select(RESERVATIONS.VERSION)
        .from(RESERVATIONS)
        .where(RESERVATIONS.ID.eq(reservation.getId()))
        .fetchOne(RESERVATIONS.VERSION);
    return version == null ? 0 : version;
  }
}
