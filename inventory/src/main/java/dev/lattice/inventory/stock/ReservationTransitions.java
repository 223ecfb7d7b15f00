package dev.lattice.inventory.stock;

import static dev.lattice.inventory.stock.StockMoves.allOrNone;
import static dev.lattice.inventory.stock.StockMoves.moveAll;
import static dev.lattice.inventory.stock.StockMoves.rejection;

import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.stock.StockMoves.Outcome;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockCommitted;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReleased;
import dev.lattice.inventory.v1.StockReturned;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rest of inventory's side of the order saga (docs/architecture.md §7, decision 0008), after
 * {@link Reservations} reserved an order's lines: committing, releasing and returning them, and
 * expiring unpaid reservations. Each method runs in the caller's transaction (the event consumer's
 * inbox transaction, or the expiry job's) and writes its event to the outbox in it.
 *
 * <p>Every transition is guarded by the reservation's status, read under a row lock, so a
 * redelivered, replayed or reordered event has no second effect; every stock change is a {@link
 * StockMove}, which conserves {@code available + reserved + sold}. Stock rows are always changed in
 * product-id order. Stateless apart from its collaborators; thread-safe.
 */
public final class ReservationTransitions {

  private static final Logger log = LoggerFactory.getLogger(ReservationTransitions.class);

  private final InventoryEvents events;
  private final Duration ttl;
  private final Clock clock;
  private final UuidV7Generator ids;

  /**
   * Transitions that write their events through {@code events}.
   *
   * @param ttl the lifetime recorded on the RELEASED reservation of an order cancelled before it
   *     was reserved
   * @param clock the time of transitions and expiry
   */
  public ReservationTransitions(InventoryEvents events, Duration ttl, Clock clock) {
    this.events = events;
    this.ttl = ttl;
    this.clock = clock;
    this.ids = new UuidV7Generator(clock);
  }

  /**
   * Locks, before any of them changes, what the transitions of the reservations of {@code orderIds}
   * (of {@code tenantIds}) will change: the reservations, in order-id order, then the stock rows of
   * their lines, in product-id order, the order every flow takes them in. For a consumer that
   * handles several events in one transaction: locking each event's rows as it came would let two
   * such transactions, or one and a reservation, wait on each other in a cycle.
   *
   * @return how many of the orders have a reservation
   */
  public int lockAll(DSLContext tx, Collection<UUID> tenantIds, Collection<UUID> orderIds) {
    Map<LockedStock.Key, UUID> reservations = ReservationStore.lockOrders(tx, tenantIds, orderIds);
    ReservationStore.lockLineStock(tx, reservations.values());
    return reservations.size();
  }

  /**
   * OrderPaid: an ACTIVE reservation's units move reserved → sold. An EXPIRED one (the payment
   * outran the expiry at orders, not here) takes its units straight from available, all lines or
   * none; when they are gone the paid order gets a StockRejected (INSUFFICIENT_STOCK) and the
   * reservation keeps its status. Emits StockCommitted on success. No effect on a RELEASED
   * reservation (the order was cancelled or refunded: each event type has its own consumer, so an
   * OrderRefunded can be handled before its OrderPaid, and selling then would take units nobody
   * returns), a COMMITTED or RETURNED one, an order without one, or one cancelled before it was
   * reserved (see {@link #release}).
   */
  public void commit(DSLContext tx, UUID tenantId, UUID orderId, String causationId) {
    Optional<Reservation> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      log.warn(
          "OrderPaid for order {} of tenant {}, which has no reservation; nothing to commit",
          orderId,
          tenantId);
      return;
    }
    Reservation reservation = found.get();
    ReservationStatus status = reservation.status();
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    if (lines.isEmpty()) {
      log.warn(
          "OrderPaid for order {} of tenant {}, which was cancelled before it was reserved; "
              + "nothing to commit",
          orderId,
          tenantId);
      return;
    }
    List<StockLevel> moved = List.of(); // every status that goes on below moves the lines
    switch (status) {
      case ACTIVE -> moved = moveAll(tx, StockMove.COMMIT, reservation, lines, now);
      case EXPIRED -> {
        Outcome outcome = allOrNone(tx, StockMove.SELL_AVAILABLE, tenantId, lines, now, sp -> {});
        moved = outcome.moved();
        if (!outcome.shortLines().isEmpty()) {
          Reservation kept = ReservationStore.update(tx, reservation, status, now);
          events.reservation(
              tx,
              tenantId,
              kept.id(),
              kept.version(),
              rejection(
                  orderId,
                  StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK,
                  outcome.shortLines()),
              causationId);
          return;
        }
      }
      case RELEASED, COMMITTED, RETURNED -> {
        log.debug("reservation {} is {}; OrderPaid ignored", reservation.id(), status);
        return;
      }
    }
    Reservation committed =
        ReservationStore.update(tx, reservation, ReservationStatus.COMMITTED, now);
    events.reservation(
        tx,
        tenantId,
        committed.id(),
        committed.version(),
        StockCommitted.newBuilder()
            .setReservationId(committed.id().toString())
            .setOrderId(orderId.toString())
            .addAllLines(ReservationLine.toProto(lines))
            .addAllStock(StockMoves.toProto(moved))
            .build(),
        causationId);
  }

  /**
   * OrderCancelled: an ACTIVE reservation's units move reserved → available; emits StockReleased.
   * No effect in any other status.
   *
   * <p>Each event type has its own consumer, so a cancellation can overtake its order's
   * OrderCreated. An order without a reservation (overtaken, or rejected earlier) therefore gets a
   * RELEASED one without lines and without an event: an OrderCreated that arrives later finds it
   * and reserves nothing, instead of holding stock for a cancelled order until it expires.
   */
  public void release(DSLContext tx, UUID tenantId, UUID orderId, String causationId) {
    Optional<Reservation> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      Instant instant = clock.instant();
      if (ReservationStore.insert(
          tx,
          tenantId,
          ids.next(),
          orderId,
          ReservationStatus.RELEASED,
          List.of(),
          ProductStore.utc(instant),
          ProductStore.utc(instant.plus(ttl)))) {
        log.debug(
            "order {} of tenant {} has no reservation; recorded as RELEASED so that a late "
                + "OrderCreated reserves nothing",
            orderId,
            tenantId);
        return;
      }
      // An OrderCreated of this order committed its reservation while the insert waited.
      found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    }
    if (found.isEmpty() || found.get().status() != ReservationStatus.ACTIVE) {
      log.debug(
          "order {} of tenant {} has no ACTIVE reservation; nothing to release", orderId, tenantId);
      return;
    }
    releaseActive(tx, found.get(), causationId);
  }

  /**
   * OrderRefunded: a COMMITTED reservation's units move sold → available (StockReturned); an ACTIVE
   * one is released (StockReleased). No effect otherwise.
   */
  public void refund(DSLContext tx, UUID tenantId, UUID orderId, String causationId) {
    Optional<Reservation> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    ReservationStatus status = found.map(Reservation::status).orElse(null);
    if (status == ReservationStatus.ACTIVE) {
      releaseActive(tx, found.get(), causationId);
      return;
    }
    if (status != ReservationStatus.COMMITTED) {
      log.debug(
          "order {} of tenant {} has no COMMITTED reservation; nothing to return",
          orderId,
          tenantId);
      return;
    }
    Reservation reservation = found.get();
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    List<StockLevel> moved = moveAll(tx, StockMove.RETURN, reservation, lines, now);
    Reservation returned =
        ReservationStore.update(tx, reservation, ReservationStatus.RETURNED, now);
    events.reservation(
        tx,
        returned.tenantId(),
        returned.id(),
        returned.version(),
        StockReturned.newBuilder()
            .setReservationId(returned.id().toString())
            .setOrderId(orderId.toString())
            .addAllLines(ReservationLine.toProto(lines))
            .addAllStock(StockMoves.toProto(moved))
            .build(),
        causationId);
  }

  /**
   * Expires one due ACTIVE reservation of any tenant that no other transaction holds: its units
   * move reserved → available, it becomes EXPIRED, and ReservationExpired is emitted.
   *
   * @return false when no reservation was due (or every due one was locked)
   */
  public boolean expireNext(DSLContext tx) {
    OffsetDateTime now = ProductStore.utc(clock.instant());
    Optional<Reservation> due = ReservationStore.claimDue(tx, now);
    if (due.isEmpty()) {
      return false;
    }
    Reservation reservation = due.get();
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    List<StockLevel> moved = moveAll(tx, StockMove.RELEASE, reservation, lines, now);
    Reservation expired = ReservationStore.update(tx, reservation, ReservationStatus.EXPIRED, now);
    events.reservation(
        tx,
        expired.tenantId(),
        expired.id(),
        expired.version(),
        ReservationExpired.newBuilder()
            .setReservationId(expired.id().toString())
            .setOrderId(expired.orderId().toString())
            .addAllLines(ReservationLine.toProto(lines))
            .addAllStock(StockMoves.toProto(moved))
            .build(),
        null);
    return true;
  }

  private void releaseActive(DSLContext tx, Reservation reservation, String causationId) {
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    List<StockLevel> moved = moveAll(tx, StockMove.RELEASE, reservation, lines, now);
    Reservation released =
        ReservationStore.update(tx, reservation, ReservationStatus.RELEASED, now);
    events.reservation(
        tx,
        released.tenantId(),
        released.id(),
        released.version(),
        StockReleased.newBuilder()
            .setReservationId(released.id().toString())
            .setOrderId(released.orderId().toString())
            .addAllLines(ReservationLine.toProto(lines))
            .addAllStock(StockMoves.toProto(moved))
            .build(),
        causationId);
  }
}
