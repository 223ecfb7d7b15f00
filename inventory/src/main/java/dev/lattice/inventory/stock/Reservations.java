package dev.lattice.inventory.stock;

import static dev.lattice.inventory.stock.StockMoves.allOrNone;
import static dev.lattice.inventory.stock.StockMoves.rejection;
import static dev.lattice.inventory.stock.StockMoves.shortLine;

import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.stock.StockMoves.Outcome;
import dev.lattice.inventory.stock.StockMoves.Undo;
import dev.lattice.inventory.store.StockStore;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import dev.lattice.inventory.v1.StockReserved;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
 * {@code available + reserved + sold}. Stock rows are always changed in product-id order. Stateless
 * apart from its collaborators; thread-safe.
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
   * OrderCreated: reserves every line or none. Emits StockReserved, or StockRejected with reason
   * PRODUCT_UNAVAILABLE when a product is unknown, deleted or another tenant's, and
   * INSUFFICIENT_STOCK when a product has fewer available units than ordered. No effect when the
   * order has a reservation already.
   *
   * @param requested the order's lines; several lines of one product are reserved together
   */
  public void reserve(
      DSLContext tx,
      UUID tenantId,
      UUID orderId,
      List<ReservationLine> requested,
      String causationId) {
    if (ReservationStore.lockByOrder(tx, tenantId, orderId).isPresent()) {
      log.debug(
          "order {} of tenant {} has a reservation already; OrderCreated ignored",
          orderId,
          tenantId);
      return;
    }
    List<ReservationLine> lines = ReservationLine.merged(requested);
    Instant instant = clock.instant();
    OffsetDateTime now = ProductStore.utc(instant);
    OffsetDateTime expireTime = ProductStore.utc(instant.plus(ttl));
    Set<UUID> live =
        ProductStore.lockLiveIds(
            tx, tenantId, lines.stream().map(ReservationLine::productId).toList());
    if (live.size() < lines.size()) {
      reject(
          tx,
          tenantId,
          orderId,
          StockRejectionReason.STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE,
          unserved(tx, tenantId, lines, live),
          causationId);
      return;
    }
    UUID reservationId = ids.next();
    Outcome outcome =
        allOrNone(
            tx,
            StockMove.RESERVE,
            tenantId,
            lines,
            now,
            sp -> {
              if (!ReservationStore.insert(
                  sp,
                  tenantId,
                  reservationId,
                  orderId,
                  ReservationStatus.ACTIVE,
                  lines,
                  now,
                  expireTime)) {
                throw Undo.DUPLICATE;
              }
            });
    if (outcome.duplicate()) {
      log.debug(
          "order {} of tenant {} was reserved concurrently; OrderCreated ignored",
          orderId,
          tenantId);
    } else if (!outcome.shortLines().isEmpty()) {
      reject(
          tx,
          tenantId,
          orderId,
          StockRejectionReason.STOCK_REJECTION_REASON_INSUFFICIENT_STOCK,
          outcome.shortLines(),
          causationId);
    } else {
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
              .build(),
          causationId);
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
      long available = isLive ? StockStore.available(tx, tenantId, line.productId()) : 0;
      if (!isLive || available < line.quantity()) {
        unserved.add(shortLine(line, available));
      }
    }
    return unserved;
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
