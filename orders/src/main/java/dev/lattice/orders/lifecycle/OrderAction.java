package dev.lattice.orders.lifecycle;

import static dev.lattice.orders.order.OrderState.CANCELLED;
import static dev.lattice.orders.order.OrderState.CREATED;
import static dev.lattice.orders.order.OrderState.DELIVERED;
import static dev.lattice.orders.order.OrderState.PACKED;
import static dev.lattice.orders.order.OrderState.PAID;
import static dev.lattice.orders.order.OrderState.REFUNDED;
import static dev.lattice.orders.order.OrderState.SHIPPED;

import dev.lattice.orders.order.OrderState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The order state machine as a table: every action that changes an order's status, and for each
 * status it applies to, the status it leads to. Anything not in the table is an illegal transition
 * (FAILED_PRECONDITION ILLEGAL_TRANSITION for an RPC; no effect for a saga event, decision 0008).
 *
 * <pre>
 *   CREATED -> PAID -> PACKED -> SHIPPED -> DELIVERED
 *   CREATED -> CANCELLED
 *   PAID | PACKED -> REFUNDED                 (CancelOrder after payment, RefundOrder, StockRejected)
 *
 * A shipped order is with the carrier or the customer: it is no longer cancelled or refunded as a
 * whole here (its units are not on the shelf to be put back on sale); staff refund money for it
 * with payments.RefundPayment.
 * </pre>
 */
public enum OrderAction {
  /** PaymentCaptured. */
  PAY(PAID, Map.of(CREATED, PAID)),
  /** PackOrder. */
  PACK(PACKED, Map.of(PAID, PACKED)),
  /** ShipOrder. */
  SHIP(SHIPPED, Map.of(PACKED, SHIPPED)),
  /** DeliverOrder. */
  DELIVER(DELIVERED, Map.of(SHIPPED, DELIVERED)),
  /** PaymentFailed, ReservationExpired: only an unpaid order is cancelled. */
  ABANDON(CANCELLED, Map.of(CREATED, CANCELLED)),
  /** CancelOrder by its customer (without orders.manage): any time before it ships. */
  CANCEL_BY_CUSTOMER(CANCELLED, Map.of(CREATED, CANCELLED, PAID, REFUNDED, PACKED, REFUNDED)),
  /** CancelOrder by staff, and StockRejected: also a packed order, which is then refunded. */
  CANCEL(CANCELLED, Map.of(CREATED, CANCELLED, PAID, REFUNDED, PACKED, REFUNDED)),
  /** RefundOrder (staff): a paid order that has not shipped. */
  REFUND(REFUNDED, Map.of(PAID, REFUNDED, PACKED, REFUNDED));

  private static final Map<OrderState, Set<OrderState>> ALLOWED = allowed();

  private final OrderState nominalTarget;
  private final Map<OrderState, OrderState> targets;

  OrderAction(OrderState nominalTarget, Map<OrderState, OrderState> targets) {
    this.nominalTarget = nominalTarget;
    this.targets = new EnumMap<>(targets);
  }

  /** The status this action leads to from {@code from}; empty when it does not apply there. */
  public Optional<OrderState> target(OrderState from) {
    return Optional.ofNullable(targets.get(from));
  }

  /** The status the action is named for, reported as {@code to} when it does not apply. */
  public OrderState nominalTarget() {
    return nominalTarget;
  }

  /** Every allowed (from, to) pair, the union of all actions: from → the statuses it may reach. */
  public static Map<OrderState, Set<OrderState>> allowedTransitions() {
    return ALLOWED;
  }

  private static Map<OrderState, Set<OrderState>> allowed() {
    Map<OrderState, Set<OrderState>> allowed = new EnumMap<>(OrderState.class);
    for (OrderState state : OrderState.values()) {
      allowed.put(state, EnumSet.noneOf(OrderState.class));
    }
    for (OrderAction action : values()) {
      action.targets.forEach((from, to) -> allowed.get(from).add(to));
    }
    allowed.replaceAll((from, to) -> Collections.unmodifiableSet(to));
    return Collections.unmodifiableMap(allowed);
  }
}
