package dev.lattice.orders.order;

import dev.lattice.orders.v1.OrderStatus;

/**
 * The states of an order as stored ({@code orders.status}); their contract form is {@link
 * OrderStatus}. CANCELLED and REFUNDED are terminal. Immutable.
 */
public enum OrderState {
  CREATED(OrderStatus.ORDER_STATUS_CREATED),
  PAID(OrderStatus.ORDER_STATUS_PAID),
  PACKED(OrderStatus.ORDER_STATUS_PACKED),
  SHIPPED(OrderStatus.ORDER_STATUS_SHIPPED),
  DELIVERED(OrderStatus.ORDER_STATUS_DELIVERED),
  CANCELLED(OrderStatus.ORDER_STATUS_CANCELLED),
  REFUNDED(OrderStatus.ORDER_STATUS_REFUNDED);

  private final OrderStatus proto;

  OrderState(OrderStatus proto) {
    this.proto = proto;
  }

  /** The contract's form. */
  public OrderStatus toProto() {
    return proto;
  }

  /**
   * The state of a contract status.
   *
   * @throws IllegalArgumentException for UNSPECIFIED or an unknown value
   */
  public static OrderState of(OrderStatus status) {
    for (OrderState state : values()) {
      if (state.proto == status) {
        return state;
      }
    }
    throw new IllegalArgumentException("no order state for " + status);
  }
}
