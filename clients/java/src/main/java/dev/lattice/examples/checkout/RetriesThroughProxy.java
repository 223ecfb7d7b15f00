package dev.lattice.examples.checkout;

import static dev.lattice.examples.checkout.Checks.check;
import static dev.lattice.examples.checkout.Checks.failure;
import static dev.lattice.examples.checkout.Checks.log;
import static dev.lattice.examples.checkout.Checks.map;

import dev.lattice.examples.client.LatticeError;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Step 7 of the checkout: calls through the proxy that refuses the first two attempts of every
 * call. The channel retries GetOrder (idempotent) after the proxy's pushback, and does not retry
 * CancelOrder, which never reaches orders. Stateless.
 */
final class RetriesThroughProxy {

  private RetriesThroughProxy() {}

  /**
   * GetOrder of the first order and CancelOrder of the second, through the proxy.
   *
   * @param orders orders as the customer, directly
   * @param faultyOrders orders as the customer, through the proxy
   * @return the summary entries {@code retried} and {@code notRetried}
   */
  static Map<String, Object> callThrough(
      OrdersServiceBlockingStub orders,
      OrdersServiceBlockingStub faultyOrders,
      String firstOrderId,
      String secondOrderId) {
    Map<String, Object> summary = new LinkedHashMap<>();
    log("7. through the faulty proxy");
    long start = System.nanoTime();
    Order retried =
        faultyOrders
            .getOrder(GetOrderRequest.newBuilder().setOrderId(firstOrderId).build())
            .getOrder();
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    check(
        retried.getId().equals(firstOrderId),
        "GetOrder through the proxy returned order %s",
        retried.getId());
    log("   GetOrder succeeded after %d ms (the channel retried)", elapsedMs);
    summary.put(
        "retried",
        map(
            "orderId",
            retried.getId(),
            "status",
            retried.getStatus().name(),
            "elapsedMs",
            elapsedMs));

    Order secondBefore =
        orders.getOrder(GetOrderRequest.newBuilder().setOrderId(secondOrderId).build()).getOrder();
    LatticeError notRetried =
        failure(
            () ->
                faultyOrders.cancelOrder(
                    CancelOrderRequest.newBuilder()
                        .setOrderId(secondOrderId)
                        .setVersion(secondBefore.getVersion())
                        .setNote("Java client checkout: the proxy refuses this call")
                        .build()));
    check(
        notRetried.is(Status.Code.UNAVAILABLE, "UPSTREAM_RESTARTING"),
        "CancelOrder through the proxy gave %s",
        notRetried);
    check(
        notRetried.retryDelay().isPresent(),
        "the proxy's UNAVAILABLE had no RetryInfo: %s",
        notRetried);
    long retryDelayMs = notRetried.retryDelay().get().toMillis();
    Order secondAfter =
        orders.getOrder(GetOrderRequest.newBuilder().setOrderId(secondOrderId).build()).getOrder();
    check(
        secondAfter.getVersion() == secondBefore.getVersion()
            || (secondAfter.getStatus() != OrderStatus.ORDER_STATUS_CANCELLED
                && secondAfter.getStatus() != OrderStatus.ORDER_STATUS_REFUNDED),
        "CancelOrder reached orders: the second order is %s",
        secondAfter.getStatus());
    check(
        elapsedMs >= 2 * retryDelayMs,
        "GetOrder took %d ms, less than two pushbacks of %d ms: the channel did not wait",
        elapsedMs,
        retryDelayMs);
    log(
        "   CancelOrder not retried: %s %s, retry in %d ms",
        notRetried.code(), notRetried.reason(), retryDelayMs);
    summary.put(
        "notRetried",
        map(
            "code",
            notRetried.code().name(),
            "reason",
            notRetried.reason(),
            "retryDelayMs",
            retryDelayMs));
    return summary;
  }
}
