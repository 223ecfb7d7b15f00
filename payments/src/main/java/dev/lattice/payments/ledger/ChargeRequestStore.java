package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;

import dev.lattice.payments.store.jooq.tables.records.ChargeRequestsRecord;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The SQL of charge requests ({@code charge_requests}), kept by the saga, read by the charge
 * worker, dropped when the payment settles or they expire; it takes and returns {@link
 * ChargeRequest}s. Stateless.
 */
public final class ChargeRequestStore {

  private ChargeRequestStore() {}

  /**
   * The charge request of order {@code orderId} of {@code tenantId}; empty once it expired, whether
   * or not the purge ({@link #deleteExpired}) has deleted it yet.
   */
  public static Optional<ChargeRequest> find(DSLContext ctx, UUID tenantId, UUID orderId) {
    return ctx.selectFrom(CHARGE_REQUESTS)
        .where(CHARGE_REQUESTS.TENANT_ID.eq(tenantId))
        .and(CHARGE_REQUESTS.ORDER_ID.eq(orderId))
        .and(CHARGE_REQUESTS.EXPIRE_TIME.gt(DSL.currentOffsetDateTime()))
        .fetchOptional()
        .map(ChargeRequestStore::request);
  }

  /** Inserts the request unless its order already has one. */
  public static void insertIfAbsent(DSLContext tx, ChargeRequest request) {
    tx.insertInto(CHARGE_REQUESTS)
        .set(CHARGE_REQUESTS.ID, request.id())
        .set(CHARGE_REQUESTS.TENANT_ID, request.tenantId())
        .set(CHARGE_REQUESTS.ORDER_ID, request.orderId())
        .set(CHARGE_REQUESTS.CUSTOMER_ID, request.customerId())
        .set(CHARGE_REQUESTS.AMOUNT_MINOR, request.amountMinor())
        .set(CHARGE_REQUESTS.CURRENCY, request.currency())
        .set(CHARGE_REQUESTS.PAYMENT_METHOD_TOKEN, request.paymentMethodToken())
        .set(CHARGE_REQUESTS.CREATE_TIME, request.createTime())
        .set(CHARGE_REQUESTS.EXPIRE_TIME, request.expireTime())
        .onConflict(CHARGE_REQUESTS.TENANT_ID, CHARGE_REQUESTS.ORDER_ID)
        .doNothing()
        .execute();
  }

  /** Deletes the charge request (and card token) of order {@code orderId} of {@code tenantId}. */
  public static void delete(DSLContext tx, UUID tenantId, UUID orderId) {
    tx.deleteFrom(CHARGE_REQUESTS)
        .where(CHARGE_REQUESTS.TENANT_ID.eq(tenantId))
        .and(CHARGE_REQUESTS.ORDER_ID.eq(orderId))
        .execute();
  }

  /** Deletes the charge requests that expired before {@code now}. */
  public static void deleteExpired(DSLContext ctx, OffsetDateTime now) {
    ctx.deleteFrom(CHARGE_REQUESTS).where(CHARGE_REQUESTS.EXPIRE_TIME.lt(now)).execute();
  }

  private static ChargeRequest request(ChargeRequestsRecord r) {
    return new ChargeRequest(
        r.getId(),
        r.getTenantId(),
        r.getOrderId(),
        r.getCustomerId(),
        r.getAmountMinor(),
        r.getCurrency(),
        r.getPaymentMethodToken(),
        r.getCreateTime(),
        r.getExpireTime());
  }
}
