package dev.lattice.orders.lifecycle;

import dev.lattice.orders.v1.CancellationReason;
import java.util.Objects;
import java.util.UUID;

/**
 * One requested status change: the action of the state machine and what it records. Immutable.
 *
 * @param action the state machine's action
 * @param cause what caused it, for the history row ({@code payment_captured}, {@code pack_order})
 * @param reason the cancellation reason recorded when the order ends CANCELLED or REFUNDED;
 *     UNSPECIFIED for none (RefundOrder)
 * @param note free text from the caller, or the failure detail; empty for none
 * @param paymentId the capturing payment, for {@link OrderAction#PAY}; null otherwise
 * @param carrier the carrier, for {@link OrderAction#SHIP}; null otherwise
 * @param trackingNumber the tracking number, for {@link OrderAction#SHIP}; null otherwise
 */
public record OrderChange(
    OrderAction action,
    String cause,
    CancellationReason reason,
    String note,
    UUID paymentId,
    String carrier,
    String trackingNumber) {

  private static final String PREFIX = "CANCELLATION_REASON_";

  /** Checks the required parts. */
  public OrderChange {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(note, "note");
    if (action == OrderAction.PAY) {
      Objects.requireNonNull(paymentId, "paymentId");
    }
    if (action == OrderAction.SHIP) {
      Objects.requireNonNull(carrier, "carrier");
      Objects.requireNonNull(trackingNumber, "trackingNumber");
    }
  }

  /** PaymentCaptured: CREATED → PAID. */
  public static OrderChange pay(UUID paymentId) {
    return new OrderChange(
        OrderAction.PAY,
        "payment_captured",
        CancellationReason.CANCELLATION_REASON_UNSPECIFIED,
        "",
        paymentId,
        null,
        null);
  }

  /** PackOrder, DeliverOrder: the plain staff steps. */
  public static OrderChange step(OrderAction action, String cause) {
    return new OrderChange(
        action, cause, CancellationReason.CANCELLATION_REASON_UNSPECIFIED, "", null, null, null);
  }

  /** ShipOrder: PACKED → SHIPPED with the shipment. */
  public static OrderChange ship(String carrier, String trackingNumber) {
    return new OrderChange(
        OrderAction.SHIP,
        "ship_order",
        CancellationReason.CANCELLATION_REASON_UNSPECIFIED,
        "",
        null,
        carrier,
        trackingNumber);
  }

  /** A cancellation (CancelOrder or a saga event), which refunds a paid order. */
  public static OrderChange cancel(OrderAction action, CancellationReason reason, String note) {
    return new OrderChange(
        action, reason.name().substring(PREFIX.length()), reason, note, null, null, null);
  }

  /** RefundOrder: a paid order → REFUNDED, no cancellation reason. */
  public static OrderChange refund(String note) {
    return new OrderChange(
        OrderAction.REFUND,
        "refund_order",
        CancellationReason.CANCELLATION_REASON_UNSPECIFIED,
        note,
        null,
        null,
        null);
  }
}
