package dev.lattice.orders.lifecycle;

import static dev.lattice.orders.order.OrderState.CANCELLED;
import static dev.lattice.orders.order.OrderState.CREATED;
import static dev.lattice.orders.order.OrderState.DELIVERED;
import static dev.lattice.orders.order.OrderState.PACKED;
import static dev.lattice.orders.order.OrderState.PAID;
import static dev.lattice.orders.order.OrderState.REFUNDED;
import static dev.lattice.orders.order.OrderState.SHIPPED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.v1.OrderStatus;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The state machine table against the contract's diagram (order.proto). */
class OrderActionTest {

  @Test
  void allowedTransitions_areExactlyTheContractsDiagram() {
    assertThat(OrderAction.allowedTransitions())
        .isEqualTo(
            Map.of(
                CREATED, Set.of(PAID, CANCELLED),
                PAID, Set.of(PACKED, REFUNDED),
                PACKED, Set.of(SHIPPED, REFUNDED),
                SHIPPED, Set.of(DELIVERED),
                DELIVERED, Set.of(),
                CANCELLED, Set.of(),
                REFUNDED, Set.of()));
  }

  @Test
  void cancelling_refundsAfterPayment_andEveryoneOnlyBeforeShipping() {
    assertThat(OrderAction.CANCEL.target(CREATED)).contains(CANCELLED);
    assertThat(OrderAction.CANCEL.target(PAID)).contains(REFUNDED);
    assertThat(OrderAction.CANCEL.target(PACKED)).contains(REFUNDED);
    assertThat(OrderAction.CANCEL.target(SHIPPED)).isEmpty();
    assertThat(OrderAction.CANCEL_BY_CUSTOMER.target(PAID)).contains(REFUNDED);
    assertThat(OrderAction.CANCEL_BY_CUSTOMER.target(PACKED)).contains(REFUNDED);
    assertThat(OrderAction.CANCEL_BY_CUSTOMER.target(SHIPPED)).isEmpty();
    assertThat(OrderAction.ABANDON.target(CREATED)).contains(CANCELLED);
    assertThat(OrderAction.ABANDON.target(PAID)).isEmpty();
    assertThat(OrderAction.PAY.target(CANCELLED)).isEmpty();
    assertThat(OrderAction.REFUND.target(CREATED)).isEmpty();
    assertThat(OrderAction.REFUND.target(PACKED)).contains(REFUNDED);
    assertThat(OrderAction.REFUND.target(SHIPPED)).isEmpty();
    assertThat(OrderAction.REFUND.target(DELIVERED)).isEmpty();
  }

  @Test
  void everyStateHasItsContractStatus() {
    for (OrderState state : OrderState.values()) {
      assertThat(OrderState.of(state.toProto())).isEqualTo(state);
      assertThat(state.toProto().name()).isEqualTo("ORDER_STATUS_" + state.name());
    }
    assertThat(OrderStatus.values())
        .hasSize(OrderState.values().length + 2); // UNSPECIFIED, UNRECOGNIZED
  }
}
