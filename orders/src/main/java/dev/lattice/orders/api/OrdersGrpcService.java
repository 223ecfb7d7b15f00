package dev.lattice.orders.api;

import dev.lattice.orders.lifecycle.OrderAction;
import dev.lattice.orders.lifecycle.OrderChange;
import dev.lattice.orders.lifecycle.OrderLifecycle;
import dev.lattice.orders.order.OrderAccess;
import dev.lattice.orders.order.OrderProtos;
import dev.lattice.orders.placement.OrderPlacement;
import dev.lattice.orders.queries.OrderQueries;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CancelOrderResponse;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.DeliverOrderRequest;
import dev.lattice.orders.v1.DeliverOrderResponse;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.GetOrderResponse;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.orders.v1.ListOrdersResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.orders.v1.PackOrderRequest;
import dev.lattice.orders.v1.PackOrderResponse;
import dev.lattice.orders.v1.RefundOrderRequest;
import dev.lattice.orders.v1.RefundOrderResponse;
import dev.lattice.orders.v1.ShipOrderRequest;
import dev.lattice.orders.v1.ShipOrderResponse;
import dev.lattice.platform.auth.AuthInterceptor;
import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.idempotency.Idempotency;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gRPC face of the orders service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, authorization by the contract's access option, protovalidate, and the
 * idempotency claim of CreateOrder and RefundOrder), so every request here is valid by its contract
 * and its caller holds the RPC's permission. The tenant and the customer come from the caller's
 * token; orders of other tenants, and for customers other customers' orders, are NOT_FOUND.
 */
public final class OrdersGrpcService extends OrdersServiceGrpc.OrdersServiceImplBase {

  private final OrderPlacement placement;
  private final OrderQueries queries;
  private final OrderLifecycle lifecycle;

  public OrdersGrpcService(
      OrderPlacement placement, OrderQueries queries, OrderLifecycle lifecycle) {
    this.placement = placement;
    this.queries = queries;
    this.lifecycle = lifecycle;
  }

  @Override
  public void getOrder(GetOrderRequest request, StreamObserver<GetOrderResponse> response) {
    answer(
        response,
        () ->
            GetOrderResponse.newBuilder()
                .setOrder(
                    OrderProtos.toProto(
                        queries.get(caller(), UUID.fromString(request.getOrderId()))))
                .build());
  }

  @Override
  public void listOrders(ListOrdersRequest request, StreamObserver<ListOrdersResponse> response) {
    answer(response, () -> queries.list(caller(), request));
  }

  @Override
  public void createOrder(
      CreateOrderRequest request, StreamObserver<CreateOrderResponse> response) {
    answer(
        response, () -> placement.place(caller(), callerToken(), request, Idempotency.require()));
  }

  @Override
  public void cancelOrder(
      CancelOrderRequest request, StreamObserver<CancelOrderResponse> response) {
    answer(
        response,
        () ->
            CancelOrderResponse.newBuilder()
                .setOrder(
                    OrderProtos.toProto(
                        lifecycle.cancel(
                            caller(),
                            UUID.fromString(request.getOrderId()),
                            request.getVersion(),
                            request.getNote())))
                .build());
  }

  @Override
  public void packOrder(PackOrderRequest request, StreamObserver<PackOrderResponse> response) {
    answer(
        response,
        () ->
            PackOrderResponse.newBuilder()
                .setOrder(
                    change(
                        request.getOrderId(),
                        request.getVersion(),
                        OrderChange.step(OrderAction.PACK, "pack_order")))
                .build());
  }

  @Override
  public void shipOrder(ShipOrderRequest request, StreamObserver<ShipOrderResponse> response) {
    answer(
        response,
        () ->
            ShipOrderResponse.newBuilder()
                .setOrder(
                    change(
                        request.getOrderId(),
                        request.getVersion(),
                        OrderChange.ship(request.getCarrier(), request.getTrackingNumber())))
                .build());
  }

  @Override
  public void deliverOrder(
      DeliverOrderRequest request, StreamObserver<DeliverOrderResponse> response) {
    answer(
        response,
        () ->
            DeliverOrderResponse.newBuilder()
                .setOrder(
                    change(
                        request.getOrderId(),
                        request.getVersion(),
                        OrderChange.step(OrderAction.DELIVER, "deliver_order")))
                .build());
  }

  @Override
  public void refundOrder(
      RefundOrderRequest request, StreamObserver<RefundOrderResponse> response) {
    answer(
        response,
        () ->
            lifecycle.refund(
                caller(),
                UUID.fromString(request.getOrderId()),
                request.getVersion(),
                request.getReason(),
                Idempotency.require()));
  }

  /** A staff step on the order {@code orderId} at {@code version}, in its contract form. */
  private Order change(String orderId, long version, OrderChange change) {
    return OrderProtos.toProto(
        lifecycle.change(caller(), UUID.fromString(orderId), version, change));
  }

  private static OrderAccess caller() {
    Principal principal = Principal.require();
    return new OrderAccess(
        UUID.fromString(principal.tenantId()),
        UUID.fromString(principal.subject()),
        principal.hasPermission(OrderAccess.MANAGE));
  }

  /**
   * The caller's bearer token, which CreateOrder forwards to inventory (decision 0008: orders calls
   * BatchGetProducts as the caller). Never logged or stored.
   */
  private static String callerToken() {
    return AuthInterceptor.credential()
        .orElseThrow(
            () -> new UnauthenticatedException("TOKEN_MISSING", "an access token is required"));
  }

  /** Runs {@code work} and completes the call; exceptions reach the platform's error mapping. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    response.onNext(work.get());
    response.onCompleted();
  }
}
