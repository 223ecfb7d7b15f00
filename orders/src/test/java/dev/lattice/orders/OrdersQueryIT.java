package dev.lattice.orders;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.orders.v1.ListOrdersResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import dev.lattice.orders.v1.PackOrderRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * GetOrder and ListOrders: who sees which order (customers their own, staff the tenant's, nobody
 * another tenant's), keyset paging newest first, and the status, time and customer filters.
 */
class OrdersQueryIT extends OrdersTestBase {

  @Test
  void customerSeesOnlyOwnOrders() {
    Order alices = place(alice, request(teapot, 1));
    Order bobs = place(bob, request(cup, 2));

    assertThat(alice.getOrder(get(alices.getId())).getOrder()).isEqualTo(alices);
    StatusRuntimeException hidden = failure(() -> alice.getOrder(get(bobs.getId())));
    assertThat(code(hidden)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(hidden).getReason()).isEqualTo("ORDER_NOT_FOUND");
    StatusRuntimeException cancelOthers =
        failure(
            () ->
                alice.cancelOrder(
                    CancelOrderRequest.newBuilder()
                        .setOrderId(bobs.getId())
                        .setVersion(1)
                        .build()));
    assertThat(code(cancelOthers)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(get(bobs).getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);

    assertThat(alice.listOrders(ListOrdersRequest.getDefaultInstance()).getOrdersList())
        .containsExactly(alices);
    assertThat(
            alice
                .listOrders(
                    ListOrdersRequest.newBuilder().setCustomerId(aliceId.toString()).build())
                .getOrdersList())
        .containsExactly(alices);
    StatusRuntimeException othersList =
        failure(
            () ->
                alice.listOrders(
                    ListOrdersRequest.newBuilder().setCustomerId(bobId.toString()).build()));
    assertThat(code(othersList)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(errorInfo(othersList).getMetadataMap()).containsEntry("permission", "orders.manage");

    assertThat(staff.getOrder(get(bobs.getId())).getOrder()).isEqualTo(bobs);
    assertThat(staff.listOrders(ListOrdersRequest.getDefaultInstance()).getOrdersList())
        .containsExactly(bobs, alices);
    assertThat(
            staff
                .listOrders(ListOrdersRequest.newBuilder().setCustomerId(bobId.toString()).build())
                .getOrdersList())
        .containsExactly(bobs);
  }

  @Test
  void anotherTenantsOrderIsNotFound() {
    Order order = place(alice, request(teapot, 1));
    OrdersServiceBlockingStub intruder =
        harness.orders(harness.tokens().token(UUID.randomUUID(), aliceId, OrdersTokens.STAFF));
    List<StatusRuntimeException> failures =
        List.of(
            failure(() -> intruder.getOrder(get(order.getId()))),
            failure(
                () ->
                    intruder.cancelOrder(
                        CancelOrderRequest.newBuilder()
                            .setOrderId(order.getId())
                            .setVersion(1)
                            .build())),
            failure(
                () ->
                    intruder.packOrder(
                        PackOrderRequest.newBuilder()
                            .setOrderId(order.getId())
                            .setVersion(1)
                            .build())));
    for (StatusRuntimeException e : failures) {
      assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(errorInfo(e).getReason()).isEqualTo("ORDER_NOT_FOUND");
    }
    assertThat(intruder.listOrders(ListOrdersRequest.getDefaultInstance()).getOrdersList())
        .isEmpty();
    assertThat(get(order)).isEqualTo(order);
  }

  @Test
  void listPagesNewestFirst_withStatusAndTimeFilters() {
    List<Order> placed = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      placed.add(place(alice, request(cup, i)));
    }
    place(bob, request(cup, 1));
    List<Order> newestFirst = placed.reversed();

    List<Order> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListOrdersResponse page =
          alice.listOrders(
              ListOrdersRequest.newBuilder().setPageSize(3).setPageToken(token).build());
      assertThat(page.getOrdersCount()).isLessThanOrEqualTo(3);
      seen.addAll(page.getOrdersList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(newestFirst);

    // Cancel two: the status filter finds exactly them, in the same order.
    Order cancelledOld = cancel(placed.get(1));
    Order cancelledNew = cancel(placed.get(5));
    assertThat(
            alice
                .listOrders(
                    ListOrdersRequest.newBuilder()
                        .setStatus(OrderStatus.ORDER_STATUS_CANCELLED)
                        .build())
                .getOrdersList())
        .containsExactly(cancelledNew, cancelledOld);
    assertThat(
            alice
                .listOrders(
                    ListOrdersRequest.newBuilder()
                        .setStatus(OrderStatus.ORDER_STATUS_CREATED)
                        .build())
                .getOrdersList())
        .extracting(Order::getId)
        .containsExactly(
            placed.get(6).getId(),
            placed.get(4).getId(),
            placed.get(3).getId(),
            placed.get(2).getId(),
            placed.get(0).getId());

    // create_time_start is inclusive, create_time_end exclusive.
    ListOrdersResponse window =
        alice.listOrders(
            ListOrdersRequest.newBuilder()
                .setCreateTimeStart(placed.get(2).getCreateTime())
                .setCreateTimeEnd(placed.get(5).getCreateTime())
                .setPageSize(2)
                .build());
    assertThat(window.getOrdersList())
        .extracting(Order::getId)
        .containsExactly(placed.get(4).getId(), placed.get(3).getId());
    ListOrdersResponse windowRest =
        alice.listOrders(
            ListOrdersRequest.newBuilder()
                .setCreateTimeStart(placed.get(2).getCreateTime())
                .setCreateTimeEnd(placed.get(5).getCreateTime())
                .setPageSize(2)
                .setPageToken(window.getNextPageToken())
                .build());
    assertThat(windowRest.getOrdersList())
        .extracting(Order::getId)
        .containsExactly(placed.get(2).getId());
    assertThat(windowRest.getNextPageToken()).isEmpty();

    StatusRuntimeException otherFilter =
        failure(
            () ->
                alice.listOrders(
                    ListOrdersRequest.newBuilder()
                        .setStatus(OrderStatus.ORDER_STATUS_CREATED)
                        .setPageSize(2)
                        .setPageToken(window.getNextPageToken())
                        .build()));
    assertThat(code(otherFilter)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(otherFilter).getReason()).isEqualTo("PAGE_TOKEN_INVALID");

    // A customer's token cannot be used to page through staff's tenant-wide list.
    ListOrdersResponse staffFirst =
        staff.listOrders(ListOrdersRequest.newBuilder().setPageSize(2).build());
    assertThat(staffFirst.getOrdersCount()).isEqualTo(2);
    StatusRuntimeException borrowed =
        failure(
            () ->
                alice.listOrders(
                    ListOrdersRequest.newBuilder()
                        .setPageSize(2)
                        .setPageToken(staffFirst.getNextPageToken())
                        .build()));
    assertThat(code(borrowed)).isEqualTo(Status.Code.INVALID_ARGUMENT);

    StatusRuntimeException negative =
        failure(() -> alice.listOrders(ListOrdersRequest.newBuilder().setPageSize(-1).build()));
    assertThat(code(negative)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private Order cancel(Order order) {
    return alice
        .cancelOrder(
            CancelOrderRequest.newBuilder()
                .setOrderId(order.getId())
                .setVersion(order.getVersion())
                .build())
        .getOrder();
  }

  private static GetOrderRequest get(String orderId) {
    return GetOrderRequest.newBuilder().setOrderId(orderId).build();
  }
}
