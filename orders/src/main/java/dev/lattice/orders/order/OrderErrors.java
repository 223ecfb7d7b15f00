package dev.lattice.orders.order;

import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.NotFoundException;
import java.util.Map;

/** The failures of the orders domain, with the reasons the contract names. Stateless. */
public final class OrderErrors {

  /** An unknown order, one of another tenant, or another customer's order. */
  public static final String ORDER_NOT_FOUND = "ORDER_NOT_FOUND";

  /** A status change the state machine does not allow; metadata {@code from}, {@code to}. */
  public static final String ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION";

  /** A product priced in another currency than the order's; metadata {@code product_ids}. */
  public static final String CURRENCY_MISMATCH = "CURRENCY_MISMATCH";

  /** A line total or order total beyond a signed 64-bit amount of minor units. */
  public static final String AMOUNT_TOO_LARGE = "AMOUNT_TOO_LARGE";

  /**
   * RESOURCE_EXHAUSTED: as many orders as the mesh admits are waiting for their saga; retry the
   * same key after the advised delay. Metadata {@code limit}.
   */
  public static final String SAGAS_BACKLOGGED = "SAGAS_BACKLOGGED";

  private OrderErrors() {}

  /** NOT_FOUND ORDER_NOT_FOUND. */
  public static NotFoundException notFound() {
    return new NotFoundException(ORDER_NOT_FOUND, "order not found");
  }

  /** FAILED_PRECONDITION ILLEGAL_TRANSITION from {@code from} to {@code to}. */
  public static FailedPreconditionException illegalTransition(OrderState from, OrderState to) {
    return new FailedPreconditionException(
        ILLEGAL_TRANSITION,
        "an order in status " + from + " cannot become " + to,
        Map.of("from", from.name(), "to", to.name()));
  }
}
