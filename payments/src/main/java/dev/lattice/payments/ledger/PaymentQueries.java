package dev.lattice.payments.ledger;

import dev.lattice.payments.v1.ListPaymentsRequest;
import dev.lattice.payments.v1.ListPaymentsResponse;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** GetPayment and ListPayments of a tenant. Thread-safe. */
public final class PaymentQueries {

  private final DSLContext dsl;
  private final PageTokens pageTokens;

  public PaymentQueries(DSLContext dsl, PageTokens pageTokens) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
  }

  /** The payment with its history and refunds, or NOT_FOUND PAYMENT_NOT_FOUND. */
  public Payment get(UUID tenantId, UUID paymentId) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          PaymentRow row =
              PaymentStore.find(tx, tenantId, paymentId).orElseThrow(PaymentStore::notFound);
          return PaymentViews.load(tx, row);
        });
  }

  /** Newest first, keyset paging on (create_time, id) descending; filters by order and status. */
  public ListPaymentsResponse list(UUID tenantId, ListPaymentsRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    PaymentStatus status = request.getStatus();
    String fingerprint =
        PageTokens.fingerprint("payments", tenantId, request.getOrderId(), status.name());
    UUID orderId = request.getOrderId().isEmpty() ? null : UUID.fromString(request.getOrderId());
    Optional<PageCursor> cursor = pageTokens.decode(request.getPageToken(), fingerprint);
    PaymentListing listing =
        new PaymentListing(
            tenantId,
            orderId,
            status == PaymentStatus.PAYMENT_STATUS_UNSPECIFIED ? null : PaymentViews.stored(status),
            cursor.map(c -> PaymentStore.utc(c.instant(0))).orElse(null),
            cursor.map(c -> UUID.fromString(c.string(1))).orElse(null),
            size + 1);
    Page page =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              List<PaymentRow> found = PaymentStore.list(tx, listing);
              List<Payment> views = new ArrayList<>();
              for (int i = 0; i < Math.min(size, found.size()); i++) {
                views.add(PaymentViews.load(tx, found.get(i)));
              }
              return new Page(found, views);
            });
    List<PaymentRow> rows = page.rows();
    ListPaymentsResponse.Builder response =
        ListPaymentsResponse.newBuilder().addAllPayments(page.views());
    if (rows.size() > size) {
      PaymentRow last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(
              PageCursor.of(fingerprint, last.createTime().toInstant(), last.id().toString())));
    }
    return response.build();
  }

  /** The rows of a page (one more than its size, to tell whether another follows) and its views. */
  private record Page(List<PaymentRow> rows, List<Payment> views) {}
}
