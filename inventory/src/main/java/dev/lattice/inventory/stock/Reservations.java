package dev.lattice.inventory.stock;

import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.store.jooq.tables.records.ReservationsRecord;
import dev.lattice.inventory.v1.ReservationExpired;
import dev.lattice.inventory.v1.StockCommitted;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReleased;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.inventory.v1.StockReturned;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inventory's side of the order saga (docs/architecture.md §7, decision 0008): reserving an order's lines
 * all or none, committing, releasing and returning them, and expiring unpaid reservations. Each
 * method runs in the caller's transaction (the event consumer's inbox transaction, or the expiry
 * job's) and writes its event to the outbox in it.
 *
 * <p>Every transition is guarded by the reservation's status, read under a row lock, so a
 * redelivered, replayed or reordered event has no second effect; every stock change is a {@link
 * StockMove}, which conserves {@code available + reserved + sold}. Stock rows are always changed in
 * product-id order. Stateless apart from its collaborators; thread-safe.
 */
public final class Reservations {

  private static final Logger log = LoggerFactory.getLogger(Reservations.class);

  private final InventoryEvents events;
  private final Duration ttl;
  private final Clock clock;
  private final UuidV7Generator ids;

  /**
   * Reservations that write their events through {@code events}.
   *
   * @param ttl how long a reservation holds its units unless the order is paid
   * @param clock the time of reservations, transitions and expiry
   */
  public Reservations(InventoryEvents events, Duration ttl, Clock clock) {
    this.events = events;
    this.ttl = ttl;
    this.clock = clock;
    this.ids = new UuidV7Generator(clock);
  }

  /**
   * OrderCreated: reserves every line or none. Emits StockReserved, or StockRejected with reason
   * PRODUCT_UNAVAILABLE when a product is unknown, deleted or another tenant's, and
   * INSUFFICIENT_STOCK when a product has fewer available units than ordered. No effect when the
   * order has a reservation already.
   *
   * @param requested the order's lines; several lines of one product are reserved together
   */
  public void reserve(
      DSLContext tx, UUID tenantId, UUID orderId, List<ReservationLine> requested, String causationId) {
    if (ReservationStore.lockByOrder(tx, tenantId, orderId).isPresent()) {
      log.debug("order {} of tenant {} has a reservation already; OrderCreated ignored", orderId, tenantId);
      return;
    }
    List<ReservationLine> lines = ReservationLine.merged(requested);
    Instant instant = clock.instant();
    OffsetDateTime now = ProductStore.utc(instant);
    OffsetDateTime expireTime = ProductStore.utc(instant.plus(ttl));
    Set<UUID> live = ReservationStore.liveProducts(
        tx, tenantId, lines.stream().map(ReservationLine::productId).toList());
    if (live.size() < lines.size()) {
      reject(tx, tenantId, orderId, StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE,
          unserved(tx, tenantId, lines, live), causationId);
      return;
    }
    UUID reservationId = ids.next();
    Outcome outcome = allOrNone(tx, StockMove.RESERVE, tenantId, lines, now, sp -> {
      if (!ReservationStore.insert(
          sp, tenantId, reservationId, orderId, ReservationStatus.ACTIVE, lines, now, expireTime)) {
        throw Undo.DUPLICATE;
      }
    });
    if (outcome.duplicate()) {
      log.debug("order {} of tenant {} was reserved concurrently; OrderCreated ignored", orderId, tenantId);
    } else if (!outcome.shortLines().isEmpty()) {
      reject(tx, tenantId, orderId, StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK,
          outcome.shortLines(), causationId);
    } else {
      events.reservation(tx, tenantId, reservationId, 1,
          StockReserved.newBuilder()
              .setReservationId(reservationId.toString())
              .setOrderId(orderId.toString())
              .addAllLines(ReservationLine.toProto(lines))
              .setExpireTime(ProductStore.timestamp(expireTime))
              .build(),
          causationId);
    }
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
    Optional<ReservationsRecord> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      log.warn("OrderPaid for order {} of tenant {}, which has no reservation; nothing to commit",
          orderId, tenantId);
      return;
    }
    ReservationsRecord reservation = found.get();
    ReservationStatus status = ReservationStatus.valueOf(reservation.getStatus());
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    if (lines.isEmpty()) {
      log.warn("OrderPaid for order {} of tenant {}, which was cancelled before it was reserved; "
          + "nothing to commit", orderId, tenantId);
      return;
    }
    switch (status) {
      case ACTIVE -> moveAll(tx, StockMove.COMMIT, reservation, lines, now);
      case EXPIRED -> {
        Outcome outcome = allOrNone(tx, StockMove.SELL_AVAILABLE, tenantId, lines, now, sp -> {});
        if (!outcome.shortLines().isEmpty()) {
          ReservationStore.update(tx, reservation, status, now);
          events.reservation(tx, tenantId, reservation.getId(), reservation.getVersion(),
              rejection(orderId, StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK,
                  outcome.shortLines()),
              causationId);
          return;
        }
      }
      case RELEASED, COMMITTED, RETURNED -> {
        log.debug("reservation {} is {}; OrderPaid ignored", reservation.getId(), status);
        return;
      }
    }
    ReservationStore.update(tx, reservation, ReservationStatus.COMMITTED, now);
    events.reservation(tx, tenantId, reservation.getId(), reservation.getVersion(),
        StockCommitted.newBuilder()
            .setReservationId(reservation.getId().toString())
            .setOrderId(orderId.toString())
            .addAllLines(ReservationLine.toProto(lines))
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
    Optional<ReservationsRecord> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    if (found.isEmpty()) {
      Instant instant = clock.instant();
      if (ReservationStore.insert(tx, tenantId, ids.next(), orderId, ReservationStatus.RELEASED, List.of(),
          ProductStore.utc(instant), ProductStore.utc(instant.plus(ttl)))) {
        log.debug("order {} of tenant {} has no reservation; recorded as RELEASED so that a late "
            + "OrderCreated reserves nothing", orderId, tenantId);
        return;
      }
      // An OrderCreated of this order committed its reservation while the insert waited.
      found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    }
    if (found.isEmpty() || !ReservationStatus.ACTIVE.name().equals(found.get().getStatus())) {
      log.debug("order {} of tenant {} has no ACTIVE reservation; nothing to release", orderId, tenantId);
      return;
    }
    releaseActive(tx, found.get(), causationId);
  }

  /**
   * OrderRefunded: a COMMITTED reservation's units move sold → available (StockReturned); an
   * ACTIVE one is released (StockReleased). No effect otherwise.
   */
  public void refund(DSLContext tx, UUID tenantId, UUID orderId, String causationId) {
    Optional<ReservationsRecord> found = ReservationStore.lockByOrder(tx, tenantId, orderId);
    ReservationStatus status =
        found.map(r -> ReservationStatus.valueOf(r.getStatus())).orElse(null);
    if (status == ReservationStatus.ACTIVE) {
      releaseActive(tx, found.get(), causationId);
      return;
    }
    if (status != ReservationStatus.COMMITTED) {
      log.debug("order {} of tenant {} has no COMMITTED reservation; nothing to return", orderId, tenantId);
      return;
    }
    ReservationsRecord reservation = found.get();
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    moveAll(tx, StockMove.RETURN, reservation, lines, now);
    ReservationStore.update(tx, reservation, ReservationStatus.RETURNED, now);
    events.reservation(tx, reservation.getTenantId(), reservation.getId(), reservation.getVersion(),
        StockReturned.newBuilder()
            .setReservationId(reservation.getId().toString())
            .setOrderId(orderId.toString())
            .addAllLines(ReservationLine.toProto(lines))
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
    Optional<ReservationsRecord> due = ReservationStore.claimDue(tx, now);
    if (due.isEmpty()) {
      return false;
    }
    ReservationsRecord reservation = due.get();
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    moveAll(tx, StockMove.RELEASE, reservation, lines, now);
    ReservationStore.update(tx, reservation, ReservationStatus.EXPIRED, now);
    events.reservation(tx, reservation.getTenantId(), reservation.getId(), reservation.getVersion(),
        ReservationExpired.newBuilder()
            .setReservationId(reservation.getId().toString())
            .setOrderId(reservation.getOrderId().toString())
            .addAllLines(ReservationLine.toProto(lines))
            .build(),
        null);
    return true;
  }

  private void releaseActive(DSLContext tx, ReservationsRecord reservation, String causationId) {
    OffsetDateTime now = ProductStore.utc(clock.instant());
    List<ReservationLine> lines = ReservationStore.lines(tx, reservation);
    moveAll(tx, StockMove.RELEASE, reservation, lines, now);
    ReservationStore.update(tx, reservation, ReservationStatus.RELEASED, now);
    events.reservation(tx, reservation.getTenantId(), reservation.getId(), reservation.getVersion(),
        StockReleased.newBuilder()
            .setReservationId(reservation.getId().toString())
            .setOrderId(reservation.getOrderId().toString())
            .addAllLines(ReservationLine.toProto(lines))
            .build(),
        causationId);
  }

  /**
   * Applies {@code move} to every line, then {@code andThen}, inside a savepoint: when a line is
   * short (or {@code andThen} throws {@link Undo#DUPLICATE}) everything done in it is rolled back.
   */
  private static Outcome allOrNone(
      DSLContext tx, StockMove move, UUID tenantId, List<ReservationLine> lines, OffsetDateTime now,
      SavepointStep andThen) {
    try {
      tx.transaction(savepoint -> {
        DSLContext sp = savepoint.dsl();
        List<ShortLine> shortLines = new ArrayList<>();
        for (ReservationLine line : lines) {
          if (!move.apply(sp, tenantId, line.productId(), line.quantity(), now)) {
            shortLines.add(shortLine(line, ReservationStore.available(sp, tenantId, line.productId())));
          }
        }
        if (!shortLines.isEmpty()) {
          throw new Undo(shortLines);
        }
        andThen.run(sp);
      });
      return new Outcome(List.of(), false);
    } catch (Undo undo) {
      return new Outcome(undo.shortLines, undo == Undo.DUPLICATE);
    }
  }

  /**
   * Applies {@code move} to every line of {@code reservation}, which must succeed: the counters
   * hold the reservation's units while its status says so. A failure means they were changed
   * behind the saga's back; it fails the event (dead letter) rather than hide the mismatch.
   */
  private static void moveAll(
      DSLContext tx, StockMove move, ReservationsRecord reservation, List<ReservationLine> lines,
      OffsetDateTime now) {
    for (ReservationLine line : lines) {
      if (!move.apply(tx, reservation.getTenantId(), line.productId(), line.quantity(), now)) {
        throw new IllegalStateException("stock of product " + line.productId() + " cannot " + move
            + " " + line.quantity() + " unit(s) of " + reservation.getStatus() + " reservation "
            + reservation.getId());
      }
    }
  }

  /**
   * The lines an order with an unavailable product cannot get: the unavailable products' lines
   * (available 0) and the lines of live products with too few available units.
   */
  private static List<ShortLine> unserved(
      DSLContext tx, UUID tenantId, List<ReservationLine> lines, Set<UUID> live) {
    List<ShortLine> unserved = new ArrayList<>();
    for (ReservationLine line : lines) {
      boolean isLive = live.contains(line.productId());
      long available = isLive ? ReservationStore.available(tx, tenantId, line.productId()) : 0;
      if (!isLive || available < line.quantity()) {
        unserved.add(shortLine(line, available));
      }
    }
    return unserved;
  }

  private void reject(
      DSLContext tx, UUID tenantId, UUID orderId, StockRejectionReason reason, List<ShortLine> lines,
      String causationId) {
    events.orderRejected(tx, tenantId, orderId, rejection(orderId, reason, lines), causationId);
  }

  private static StockRejected rejection(UUID orderId, StockRejectionReason reason, List<ShortLine> lines) {
    return StockRejected.newBuilder()
        .setOrderId(orderId.toString())
        .setReason(reason)
        .addAllShortLines(lines)
        .build();
  }

  private static ShortLine shortLine(ReservationLine line, long available) {
    return ShortLine.newBuilder()
        .setProductId(line.productId().toString())
        .setRequested(line.quantity())
        .setAvailable(available)
        .build();
  }

  /** What happens in the savepoint after the stock moves. */
  @FunctionalInterface
  private interface SavepointStep {
    void run(DSLContext savepoint);
  }

  /** The result of {@link #allOrNone}: the short lines (empty when done), or a duplicate. */
  private record Outcome(List<ShortLine> shortLines, boolean duplicate) {}

  /** Rolls the savepoint back; carries why. No stack trace: it is control flow. */
  private static final class Undo extends RuntimeException {
    static final Undo DUPLICATE = new Undo(List.of());

    final List<ShortLine> shortLines;

    Undo(List<ShortLine> shortLines) {
      super(null, null, false, false);
      this.shortLines = shortLines;
    }
  }
}
