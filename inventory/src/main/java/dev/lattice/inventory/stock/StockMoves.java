package dev.lattice.inventory.stock;

import dev.lattice.inventory.store.StockStore;
import dev.lattice.inventory.v1.StockRejected;
import dev.lattice.inventory.v1.StockRejected.ShortLine;
import dev.lattice.inventory.v1.StockRejectionReason;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
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
    try {
      tx.transaction(
          savepoint -> {
            DSLContext sp = savepoint.dsl();
            List<ShortLine> shortLines = new ArrayList<>();
            for (ReservationLine line : lines) {
              if (!move.apply(sp, tenantId, line.productId(), line.quantity(), now)) {
                shortLines.add(
                    shortLine(line, StockStore.available(sp, tenantId, line.productId())));
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
   * hold the reservation's units while its status says so. A failure means they were changed behind
   * the saga's back; it fails the event (dead letter) rather than hide the mismatch.
   */
  static void moveAll(
      DSLContext tx,
      StockMove move,
      Reservation reservation,
      List<ReservationLine> lines,
      OffsetDateTime now) {
    for (ReservationLine line : lines) {
      if (!move.apply(tx, reservation.tenantId(), line.productId(), line.quantity(), now)) {
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

  /** The result of {@link #allOrNone}: the short lines (empty when done), or a duplicate. */
  record Outcome(List<ShortLine> shortLines, boolean duplicate) {}

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
