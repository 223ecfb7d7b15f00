package dev.lattice.inventory.stock;

import static dev.lattice.inventory.stock.StockMoves.moveAll;
import static dev.lattice.inventory.stock.StockMoves.rejection;
import static dev.lattice.inventory.stock.StockMoves.shortLine;

import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of inventory's side of the order saga (docs/architecture.md §7, decision 0008):
 * reserving an order's lines all or none. It runs in the caller's transaction (the event consumer's
 * inbox transaction) and writes its event to the outbox in it; what happens to a reservation
 * afterwards is {@link ReservationTransitions}.
 *
 * <p>An order that has a reservation already is not reserved again, so a redelivered, replayed or
 * reordered event has no second effect; every stock change is a {@link StockMove}, which conserves
 * {@code available + reserved + sold}. A transaction locks the rows of all its OrderCreated events
 * first ({@link LockedStock}); stock rows are always locked and changed in product-id order.
 * Stateless apart from its collaborators; thread-safe.
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
   * @param clock the time of reservations
   */
  public Reservations(InventoryEvents events, Duration ttl, Clock clock) {
    this.events = events;
    this.ttl = ttl;
    this.clock = clock;
    this.ids = new UuidV7Generator(clock);
  }

  /**
   * Locks what reserving {@code requests} needs ({@link LockedStock}) in {@code tx}, before any of
   * them is reserved: once per transaction, for all the OrderCreated events it handles.
   */
  public LockedStock lock(DSLContext tx, Collection<ReservationRequest> requests) {
    return LockedStock.lock(tx, requests);
  }

  /**
   * OrderCreated: reserves every line or none. Emits StockReserved, or StockRejected with reason
   * PRODUCT_UNAVAILABLE when a product is unknown, deleted or another tenant's, and
   * INSUFFICIENT_STOCK when a product has fewer available units than ordered. No effect when the
   * order has a reservation already.
   *
   * <p>The decision is made from {@code locked}, which holds the rows and knows their counters, so
   * nothing is written for a rejected order and no savepoint is needed: the reservation row goes in
   * first (a concurrent insert for the same order leaves it a no-op), then the stock moves, which
   * cannot fall short on rows this transaction holds.
   *
   * @param locked what this transaction locked for its events, {@code request} among them
   * @throws IllegalStateException if {@code request} was not locked in {@code locked}, or a locked
   *     counter moved behind the transaction's back
   */
  public void reserve(
      DSLContext tx, LockedStock locked, ReservationRequest request, String causationId) {
    locked.requireCovers(request);
    UUID tenantId = request.tenantId();
    UUID orderId = request.orderId();
    if (locked.hasReservation(tenantId, orderId)) {
      log.debug(
          "order {} of tenant {} has a reservation already; OrderCreated ignored",
          orderId,
          tenantId);
      return;
    }
    List<ReservationLine> lines = ReservationLine.merged(request.lines());
    // The lines it cannot get, in line order: unknown or deleted products' (none available) and
    // live products' with too few units; any of the first kind makes the reason
    // PRODUCT_UNAVAILABLE.
    List<ShortLine> shortLines = new ArrayList<>();
    boolean unavailable = false;
    for (ReservationLine line : lines) {
      OptionalLong available = locked.available(tenantId, line.productId());
      unavailable |= available.isEmpty();
      if (available.orElse(0) < line.quantity()) {
        shortLines.add(shortLine(line, available.orElse(0)));
      }
    }
    if (!shortLines.isEmpty()) {
      reject(
          tx,
          tenantId,
          orderId,
          unavailable
              ? StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE
              : StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK,
          shortLines,
          causationId);
      return;
    }
    Instant instant = clock.instant();
    OffsetDateTime now = ProductStore.utc(instant);
    OffsetDateTime expireTime = ProductStore.utc(instant.plus(ttl));
    UUID reservationId = ids.next();
    if (!ReservationStore.insert(
        tx, tenantId, reservationId, orderId, ReservationStatus.ACTIVE, lines, now, expireTime)) {
      log.debug(
          "order {} of tenant {} was reserved concurrently; OrderCreated ignored",
          orderId,
          tenantId);
      return;
    }
    Reservation reservation =
        new Reservation(reservationId, tenantId, orderId, ReservationStatus.ACTIVE, 1);
    List<StockLevel> moved = moveAll(tx, StockMove.RESERVE, reservation, lines, now);
    locked.reserved(tenantId, orderId, lines);
    events.reservation(
        tx,
        tenantId,
        reservationId,
        1,
        StockReserved.newBuilder()
            .setReservationId(reservationId.toString())
            .setOrderId(orderId.toString())
            .addAllLines(ReservationLine.toProto(lines))
            .setExpireTime(ProductStore.timestamp(expireTime))
            .addAllStock(StockMoves.toProto(moved))
            .build(),
        causationId);
  }

  private void reject(
      DSLContext tx,
      UUID tenantId,
      UUID orderId,
      StockRejectionReason reason,
      List<ShortLine> lines,
      String causationId) {
    events.orderRejected(tx, tenantId, orderId, rejection(orderId, reason, lines), causationId);
  }
}
