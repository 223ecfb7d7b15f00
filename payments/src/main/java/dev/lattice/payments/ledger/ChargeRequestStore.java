package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;

import dev.lattice.payments.store.jooq.tables.records.ChargeRequestsRecord;
import dev.lattice.platform.db.RenderedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.TableField;
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
    return FIND.fetchFirst(ctx, ChargeRequestStore::request, tenantId, orderId);
  }

  /** Inserts the request unless its order already has one. */
  public static void insertIfAbsent(DSLContext tx, ChargeRequest request) {
    INSERT_IF_ABSENT.execute(
        tx,
        request.id(),
        request.tenantId(),
        request.orderId(),
        request.customerId(),
        request.amountMinor(),
        request.currency(),
        request.paymentMethodToken(),
        request.createTime(),
        request.expireTime());
  }

  /** Deletes the charge request (and card token) of order {@code orderId} of {@code tenantId}. */
  public static void delete(DSLContext tx, UUID tenantId, UUID orderId) {
    DELETE.execute(tx, tenantId, orderId);
  }

  // Every order's saga runs these (keep, find, delete): rendered once (decision 0016), rows read
  // straight from the ResultSet.
  private static final RenderedStatement FIND =
      RenderedStatement.of(
          DSL.selectFrom(CHARGE_REQUESTS)
              .where(
                  CHARGE_REQUESTS.TENANT_ID.eq(DSL.param("tenant_id", CHARGE_REQUESTS.TENANT_ID)))
              .and(CHARGE_REQUESTS.ORDER_ID.eq(DSL.param("order_id", CHARGE_REQUESTS.ORDER_ID)))
              .and(CHARGE_REQUESTS.EXPIRE_TIME.gt(DSL.currentOffsetDateTime())),
          "tenant_id",
          "order_id");

  private static final List<TableField<ChargeRequestsRecord, ?>> COLUMNS =
      List.of(
          CHARGE_REQUESTS.ID,
          CHARGE_REQUESTS.TENANT_ID,
          CHARGE_REQUESTS.ORDER_ID,
          CHARGE_REQUESTS.CUSTOMER_ID,
          CHARGE_REQUESTS.AMOUNT_MINOR,
          CHARGE_REQUESTS.CURRENCY,
          CHARGE_REQUESTS.PAYMENT_METHOD_TOKEN,
          CHARGE_REQUESTS.CREATE_TIME,
          CHARGE_REQUESTS.EXPIRE_TIME);

  private static final RenderedStatement INSERT_IF_ABSENT =
      RenderedStatement.of(
          DSL.insertInto(CHARGE_REQUESTS)
              .columns(COLUMNS)
              .values(RenderedStatement.parametersFor(COLUMNS))
              .onConflict(CHARGE_REQUESTS.TENANT_ID, CHARGE_REQUESTS.ORDER_ID)
              .doNothing(),
          RenderedStatement.namesOf(COLUMNS));

  private static final RenderedStatement DELETE =
      RenderedStatement.of(
          DSL.deleteFrom(CHARGE_REQUESTS)
              .where(
                  CHARGE_REQUESTS.TENANT_ID.eq(DSL.param("tenant_id", CHARGE_REQUESTS.TENANT_ID)))
              .and(CHARGE_REQUESTS.ORDER_ID.eq(DSL.param("order_id", CHARGE_REQUESTS.ORDER_ID))),
          "tenant_id",
          "order_id");

  /** Deletes the charge requests that expired before {@code now}. */
  public static void deleteExpired(DSLContext ctx, OffsetDateTime now) {
    ctx.deleteFrom(CHARGE_REQUESTS).where(CHARGE_REQUESTS.EXPIRE_TIME.lt(now)).execute();
  }

  /** A charge_requests row of a select of every column, in the table's order. */
  private static ChargeRequest request(ResultSet rs) throws SQLException {
    return new ChargeRequest(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getObject(3, UUID.class),
        rs.getObject(4, UUID.class),
        rs.getLong(5),
        rs.getString(6),
        rs.getString(7),
        rs.getObject(8, OffsetDateTime.class),
        rs.getObject(9, OffsetDateTime.class));
  }
}
