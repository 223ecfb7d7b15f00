package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;

import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.payments.v1.ListPaymentsRequest;
import dev.lattice.payments.v1.ListPaymentsResponse;
import dev.lattice.payments.v1.Payment;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

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
    PaymentsRecord row = PaymentStore.find(dsl, tenantId, paymentId).orElseThrow(PaymentStore::notFound);
    return PaymentStore.load(dsl, row);
  }

  /** Newest first, keyset paging on (create_time, id) descending; filters by order and status. */
  public ListPaymentsResponse list(UUID tenantId, ListPaymentsRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    PaymentStatus status = request.getStatus();
    String fingerprint = PageTokens.fingerprint("payments", tenantId, request.getOrderId(), status.name());
    List<Condition> where = new ArrayList<>();
    where.add(PAYMENTS.TENANT_ID.eq(tenantId));
    if (!request.getOrderId().isEmpty()) {
      where.add(PAYMENTS.ORDER_ID.eq(UUID.fromString(request.getOrderId())));
    }
    if (status != PaymentStatus.PAYMENT_STATUS_UNSPECIFIED) {
      where.add(PAYMENTS.STATUS.eq(PaymentStore.stored(status)));
    }
    pageTokens.decode(request.getPageToken(), fingerprint).ifPresent(cursor -> where.add(
        DSL.row(PAYMENTS.CREATE_TIME, PAYMENTS.ID).lt(
            PaymentStore.utc(cursor.instant(0)), UUID.fromString(cursor.string(1)))));
    List<PaymentsRecord> rows = dsl.selectFrom(PAYMENTS)
        .where(where)
        .orderBy(PAYMENTS.CREATE_TIME.desc(), PAYMENTS.ID.desc())
        .limit(size + 1)
        .fetch();
    ListPaymentsResponse.Builder response = ListPaymentsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addPayments(PaymentStore.load(dsl, rows.get(i)));
    }
    if (rows.size() > size) {
      PaymentsRecord last = rows.get(size - 1);
      response.setNextPageToken(pageTokens.encode(PageCursor.of(
          fingerprint, last.getCreateTime().toInstant(), last.getId().toString())));
    }
    return response.build();
  }
}
