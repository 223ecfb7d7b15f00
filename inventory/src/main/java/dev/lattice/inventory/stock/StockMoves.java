package dev.lattice.inventory.stock;

import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.store.StockStore;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The two ways the saga applies a {@link StockMove} to an order's lines: all or none in a savepoint
 * (reserving, selling after expiry), or all of them, which must succeed (moving a reservation's own
 * units); and the StockRejected that names the lines it could not serve. Stateless; thread-safe.
 */
final class StockMoves {

  private StockMoves() {}

  /**
   * Applies {@code move} to every line, then {@code andThen}, inside a savepoint: when a line is
   * short (or {@code andThen} throws {@link Undo#DUPLICATE}) everything done in it is rolled back.
   */
  static Outcome allOrNone(
      DSLContext tx,
      StockMove move,
      UUID tenantId,
      List<ReservationLine> lines,
      OffsetDateTime now,
      SavepointStep andThen) {
    List<StockLevel> moved = new ArrayList<>(lines.size());
    try {
      tx.transaction(
          savepoint -> {
            DSLContext sp = savepoint.dsl();
            List<ShortLine> shortLines = new ArrayList<>();
            for (ReservationLine line : lines) {
              Optional<StockLevel> after =
                  move.apply(sp, tenantId, line.productId(), line.quantity(), now);
              if (after.isPresent()) {
                moved.add(after.get());
              } else {
                shortLines.add(
                    shortLine(line, StockStore.available(sp, tenantId, line.productId())));
              }
            }
            if (!shortLines.isEmpty()) {
              throw new Undo(shortLines);
            }
            andThen.run(sp);
          });
      return new Outcome(List.of(), false, moved);
    } catch (Undo undo) {
      return new Outcome(undo.shortLines, undo == Undo.DUPLICATE, List.of());
    }
  }

  /**
   * Applies {@code move} to every line of {@code reservation}, which must succeed: the counters
   * hold the reservation's units while its status says so. A failure means they were changed behind
   * the saga's back; it fails the event (dead letter) rather than hide the mismatch.
   */
  static List<StockLevel> moveAll(
      DSLContext tx,
      StockMove move,
      Reservation reservation,
      List<ReservationLine> lines,
      OffsetDateTime now) {
    List<StockLevel> moved = new ArrayList<>(lines.size());
    for (ReservationLine line : lines) {
      Optional<StockLevel> after =
          move.apply(tx, reservation.tenantId(), line.productId(), line.quantity(), now);
      if (after.isPresent()) {
        moved.add(after.get());
      } else {
        throw new IllegalStateException(
            "stock of product "
                + line.productId()
                + " cannot "
                + move
                + " "
                + line.quantity()
                + " unit(s) of "
                + reservation.status()
                + " reservation "
                + reservation.id());
      }
    }
    return moved;
  }

  /** The stock rows a move left, as the stock events carry them (one per line, in line order). */
  static List<Stock> toProto(List<StockLevel> levels) {
    List<Stock> stock = new ArrayList<>(levels.size());
    for (StockLevel level : levels) {
      stock.add(level.toProto());
    }
    return stock;
  }

  /** The StockRejected of order {@code orderId} for {@code reason}, naming {@code lines}. */
  static StockRejected rejection(UUID orderId, StockRejectionReason reason, List<ShortLine> lines) {
    return StockRejected.newBuilder()
        .setOrderId(orderId.toString())
        .setReason(reason)
        .addAllShortLines(lines)
        .build();
  }

  /** {@code line}, of which only {@code available} units are there. */
  static ShortLine shortLine(ReservationLine line, long available) {
    return ShortLine.newBuilder()
        .setProductId(line.productId().toString())
        .setRequested(line.quantity())
        .setAvailable(available)
        .build();
  }

  /** What happens in the savepoint after the stock moves. */
  @FunctionalInterface
  interface SavepointStep {
    void run(DSLContext savepoint);
  }

  /**
   * The result of {@link #allOrNone}: the short lines (empty when done), or a duplicate; when done,
   * the stock the moves left, one per line.
   */
  record Outcome(List<ShortLine> shortLines, boolean duplicate, List<StockLevel> moved) {}

  /** Rolls the savepoint back; carries why. No stack trace: it is control flow. */
  static final class Undo extends RuntimeException {
    static final Undo DUPLICATE = new Undo(List.of());

    final List<ShortLine> shortLines;

    Undo(List<ShortLine> shortLines) {
      super(null, null, false, false);
      this.shortLines = shortLines;
    }
  }
}
