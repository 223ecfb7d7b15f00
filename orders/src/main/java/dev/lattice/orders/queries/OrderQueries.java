package dev.lattice.orders.queries;

import com.google.protobuf.Timestamp;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderAccess;
import dev.lattice.orders.order.OrderErrors;
import dev.lattice.orders.order.OrderProtos;
import dev.lattice.orders.order.OrderState;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.orders.v1.ListOrdersResponse;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * GetOrder and ListOrders, with the visibility rules of {@link OrderAccess}; each reads as the
 * caller's tenant, so row-level security holds it too (decision 0018). Thread-safe.
 */
public final class OrderQueries {

  private final DSLContext dsl;
  private final PageTokens pageTokens;

  public OrderQueries(DSLContext dsl, PageTokens pageTokens) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
  }

  /** GetOrder: NOT_FOUND ORDER_NOT_FOUND unless the caller may see the order. */
  public Order get(OrderAccess caller, UUID orderId) {
    return OrderStore.find(dsl, caller.tenantId(), orderId)
        .filter(caller::sees)
        .orElseThrow(OrderErrors::notFound);
  }

  /**
   * ListOrders: newest first, keyset paging on (create_time, id). Customers list their own orders
   * only: an empty customer_id means theirs, and another user's is PERMISSION_DENIED.
   */
  public ListOrdersResponse list(OrderAccess caller, ListOrdersRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    UUID customer = customer(caller, request.getCustomerId());
    OrderState status =
        request.getStatus() == OrderStatus.ORDER_STATUS_UNSPECIFIED
            ? null
            : OrderState.of(request.getStatus());
    Instant start = request.hasCreateTimeStart() ? instant(request.getCreateTimeStart()) : null;
    Instant end = request.hasCreateTimeEnd() ? instant(request.getCreateTimeEnd()) : null;
    String fingerprint =
        PageTokens.fingerprint("orders", caller.tenantId(), customer, status, start, end);
    OrderStore.Filter filter =
        new OrderStore.Filter(caller.tenantId(), customer, status, start, end);
    Optional<OrderStore.Keyset> after =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(
                cursor ->
                    new OrderStore.Keyset(cursor.instant(0), UUID.fromString(cursor.string(1))));
    List<Order> rows =
        Transactions.inTenantTransaction(
            dsl, caller.tenantId(), tx -> OrderStore.page(tx, filter, after, size + 1));
    List<Order> page = rows.subList(0, Math.min(size, rows.size()));
    ListOrdersResponse.Builder response = ListOrdersResponse.newBuilder();
    page.forEach(order -> response.addOrders(OrderProtos.toProto(order)));
    if (rows.size() > size) {
      Order last = page.getLast();
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, last.createTime(), last.id().toString())));
    }
    return response.build();
  }

  private static UUID customer(OrderAccess caller, String requested) {
    if (requested.isEmpty()) {
      return caller.manages() ? null : caller.subject();
    }
    UUID customer = UUID.fromString(requested);
    if (!caller.manages() && !customer.equals(caller.subject())) {
      throw new PermissionDeniedException(
          "PERMISSION_DENIED",
          "listing another customer's orders needs " + OrderAccess.MANAGE,
          Map.of("permission", OrderAccess.MANAGE));
    }
    return customer;
  }

  private static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
