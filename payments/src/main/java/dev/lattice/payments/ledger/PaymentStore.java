package dev.lattice.payments.ledger;

import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENT_STATUS_HISTORY;

import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.events.HeaderJson;
import dev.lattice.platform.events.UuidV7Generator;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * The SQL of payments ({@code payments}) and their status history, shared by the RPCs, consumers,
 * workers and webhooks; it takes and returns {@link PaymentRow}s. Stateless.
 */
public final class PaymentStore {

  /** ErrorInfo reason of an unknown payment or one of another tenant. */
  public static final String PAYMENT_NOT_FOUND = "PAYMENT_NOT_FOUND";

  private PaymentStore() {}

  /** NOT_FOUND PAYMENT_NOT_FOUND. */
  public static NotFoundException notFound() {
    return new NotFoundException(PAYMENT_NOT_FOUND, "payment not found");
  }

  /** The payment {@code paymentId} of {@code tenantId}. */
  public static Optional<PaymentRow> find(DSLContext ctx, UUID tenantId, UUID paymentId) {
    return ctx.selectFrom(PAYMENTS)
        .where(PAYMENTS.ID.eq(paymentId))
        .and(PAYMENTS.TENANT_ID.eq(tenantId))
        .fetchOptional()
        .map(PaymentStore::row);
  }

  /** The payment {@code paymentId} of {@code tenantId}, locked FOR UPDATE. */
  public static Optional<PaymentRow> lock(DSLContext tx, UUID tenantId, UUID paymentId) {
    return LOCK.fetchFirst(tx, PaymentStore::row, paymentId, tenantId);
  }

  /** The payment of order {@code orderId} of {@code tenantId}, locked FOR UPDATE. */
  public static Optional<PaymentRow> lockByOrder(DSLContext tx, UUID tenantId, UUID orderId) {
    return LOCK_BY_ORDER.fetchFirst(tx, PaymentStore::row, tenantId, orderId);
  }

  // The charge worker and the saga's handlers run the statements below for every payment: rendered
  // once (decision 0016), rows read straight from the ResultSet.
  private static final List<Field<?>> COLUMNS = List.of(PAYMENTS.fields());

  private static final List<Field<?>> HISTORY_COLUMNS =
      List.of(
          PAYMENT_STATUS_HISTORY.ID,
          PAYMENT_STATUS_HISTORY.TENANT_ID,
          PAYMENT_STATUS_HISTORY.PAYMENT_ID,
          PAYMENT_STATUS_HISTORY.STATUS,
          PAYMENT_STATUS_HISTORY.CAUSE,
          PAYMENT_STATUS_HISTORY.CHANGE_TIME);

  private static final RenderedStatement LOCK =
      RenderedStatement.of(
          DSL.selectFrom(PAYMENTS)
              .where(PAYMENTS.ID.eq(DSL.param("id", PAYMENTS.ID)))
              .and(PAYMENTS.TENANT_ID.eq(DSL.param("tenant_id", PAYMENTS.TENANT_ID)))
              .forUpdate(),
          "id",
          "tenant_id");

  private static final RenderedStatement LOCK_BY_ORDER =
      RenderedStatement.of(
          DSL.selectFrom(PAYMENTS)
              .where(PAYMENTS.TENANT_ID.eq(DSL.param("tenant_id", PAYMENTS.TENANT_ID)))
              .and(PAYMENTS.ORDER_ID.eq(DSL.param("order_id", PAYMENTS.ORDER_ID)))
              .forUpdate(),
          "tenant_id",
          "order_id");

  private static final RenderedStatement EXISTS_FOR_ORDER =
      RenderedStatement.of(
          DSL.select(DSL.inline(1))
              .from(PAYMENTS)
              .where(PAYMENTS.TENANT_ID.eq(DSL.param("tenant_id", PAYMENTS.TENANT_ID)))
              .and(PAYMENTS.ORDER_ID.eq(DSL.param("order_id", PAYMENTS.ORDER_ID))),
          "tenant_id",
          "order_id");

  private static final RenderedStatement INSERT =
      RenderedStatement.of(
          DSL.insertInto(PAYMENTS)
              .columns(COLUMNS)
              .values(RenderedStatement.parametersFor(COLUMNS)),
          RenderedStatement.namesOf(COLUMNS));

  // Every column, as jOOQ's update of a whole record wrote it: set (a, b, …) = (?, ?, …).
  private static final RenderedStatement UPDATE =
      RenderedStatement.of(
          DSL.update(PAYMENTS)
              .set(DSL.row(COLUMNS), DSL.row(RenderedStatement.parametersFor(COLUMNS)))
              .where(PAYMENTS.ID.eq(DSL.param("key", PAYMENTS.ID))),
          Stream.concat(Stream.of(RenderedStatement.namesOf(COLUMNS)), Stream.of("key"))
              .toArray(String[]::new));

  private static final RenderedStatement RECORD_STATUS =
      RenderedStatement.of(
          DSL.insertInto(PAYMENT_STATUS_HISTORY)
              .columns(HISTORY_COLUMNS)
              .values(RenderedStatement.parametersFor(HISTORY_COLUMNS)),
          RenderedStatement.namesOf(HISTORY_COLUMNS));

  /** The payment with the provider's charge id, locked FOR UPDATE (any tenant). */
  public static Optional<PaymentRow> lockByCharge(DSLContext tx, String provider, String chargeId) {
    return tx.selectFrom(PAYMENTS)
        .where(PAYMENTS.PROVIDER.eq(provider))
        .and(PAYMENTS.PROVIDER_CHARGE_ID.eq(chargeId))
        .forUpdate()
        .fetchOptional()
        .map(PaymentStore::row);
  }

  /** Whether order {@code orderId} of {@code tenantId} has a payment. */
  public static boolean existsForOrder(DSLContext ctx, UUID tenantId, UUID orderId) {
    return EXISTS_FOR_ORDER.read(ctx, ResultSet::next, tenantId, orderId);
  }

  /** A page of the tenant's payments, newest first (keyset on create_time, id descending). */
  public static List<PaymentRow> list(DSLContext ctx, PaymentListing listing) {
    List<Condition> where = new ArrayList<>();
    where.add(PAYMENTS.TENANT_ID.eq(listing.tenantId()));
    if (listing.orderId() != null) {
      where.add(PAYMENTS.ORDER_ID.eq(listing.orderId()));
    }
    if (listing.status() != null) {
      where.add(PAYMENTS.STATUS.eq(listing.status()));
    }
    if (listing.beforeId() != null) {
      where.add(
          DSL.row(PAYMENTS.CREATE_TIME, PAYMENTS.ID).lt(listing.beforeTime(), listing.beforeId()));
    }
    return ctx.selectFrom(PAYMENTS)
        .where(where)
        .orderBy(PAYMENTS.CREATE_TIME.desc(), PAYMENTS.ID.desc())
        .limit(listing.limit())
        .fetch(PaymentStore::row);
  }

  /** Inserts a new payment. */
  public static void insert(DSLContext tx, PaymentRow payment) {
    INSERT.execute(tx, values(payment));
  }

  /** Writes every column of a payment the caller has locked. */
  public static void update(DSLContext tx, PaymentRow payment) {
    Object[] columns = values(payment);
    Object[] values = Arrays.copyOf(columns, columns.length + 1);
    values[columns.length] = payment.id();
    UPDATE.execute(tx, values);
  }

  /** Writes only the payment's update time and version (a refund was committed against it). */
  public static void touch(DSLContext tx, PaymentRow payment) {
    tx.update(PAYMENTS)
        .set(PAYMENTS.UPDATE_TIME, payment.updateTime())
        .set(PAYMENTS.VERSION, payment.version())
        .where(PAYMENTS.ID.eq(payment.id()))
        .execute();
  }

  /** Writes the payment's cancel_requested flag with its update time and version. */
  public static void markCancelRequested(DSLContext tx, PaymentRow payment) {
    tx.update(PAYMENTS)
        .set(PAYMENTS.CANCEL_REQUESTED, payment.cancelRequested())
        .set(PAYMENTS.UPDATE_TIME, payment.updateTime())
        .set(PAYMENTS.VERSION, payment.version())
        .where(PAYMENTS.ID.eq(payment.id()))
        .execute();
  }

  /** Records the provider's charge id of a payment the provider reported pending. */
  public static void recordChargeId(DSLContext tx, UUID paymentId, String chargeId) {
    tx.update(PAYMENTS)
        .set(PAYMENTS.PROVIDER_CHARGE_ID, chargeId)
        .where(PAYMENTS.ID.eq(paymentId))
        .execute();
  }

  /** A pending charge: its charge id, looked up again at {@code recheck}, the lease released. */
  public static void markChargePending(
      DSLContext tx, UUID paymentId, String chargeId, OffsetDateTime recheck) {
    tx.update(PAYMENTS)
        .set(PAYMENTS.PROVIDER_CHARGE_ID, chargeId)
        .set(PAYMENTS.NEXT_ATTEMPT_TIME, recheck)
        .setNull(PAYMENTS.LEASE_UNTIL)
        .setNull(PAYMENTS.LEASE_TOKEN)
        .where(PAYMENTS.ID.eq(paymentId))
        .execute();
  }

  /**
   * Leases up to {@code limit} PENDING payments due at {@code now} and not leased ({@code FOR
   * UPDATE SKIP LOCKED}) until {@code leaseUntil} with {@code token}, counting an attempt.
   */
  public static List<PaymentRow> claimDue(
      DSLContext tx, OffsetDateTime now, OffsetDateTime leaseUntil, UUID token, int limit) {
    return CLAIM_DUE.fetchInto(tx, PAYMENTS, leaseUntil, token, now, now, limit).stream()
        .map(PaymentStore::row)
        .toList();
  }

  // Every worker round runs this, due work or not: rendered once.
  private static final RenderedStatement CLAIM_DUE =
      RenderedStatement.of(
          DSL.update(PAYMENTS)
              .set(PAYMENTS.LEASE_UNTIL, DSL.param("lease_until", PAYMENTS.LEASE_UNTIL))
              .set(PAYMENTS.LEASE_TOKEN, DSL.param("lease_token", PAYMENTS.LEASE_TOKEN))
              .set(PAYMENTS.ATTEMPTS, PAYMENTS.ATTEMPTS.plus(DSL.inline(1)))
              .where(
                  PAYMENTS.ID.in(
                      DSL.select(PAYMENTS.ID)
                          .from(PAYMENTS)
                          .where(PAYMENTS.STATUS.eq(DSL.inline(PaymentStatus.PENDING)))
                          .and(
                              PAYMENTS.NEXT_ATTEMPT_TIME.le(
                                  DSL.param("now", PAYMENTS.NEXT_ATTEMPT_TIME)))
                          .and(
                              PAYMENTS
                                  .LEASE_UNTIL
                                  .isNull()
                                  .or(
                                      PAYMENTS.LEASE_UNTIL.lt(
                                          DSL.param("now", PAYMENTS.LEASE_UNTIL))))
                          .orderBy(PAYMENTS.NEXT_ATTEMPT_TIME)
                          .limit(DSL.param("limit", Integer.class))
                          .forUpdate()
                          .skipLocked()))
              .returning(),
          "lease_until",
          "lease_token",
          "now",
          "now",
          "limit");

  /**
   * Releases the lease {@code leaseToken} of a still PENDING payment, due again at {@code next}.
   */
  public static void retryLater(
      DSLContext tx, UUID paymentId, UUID leaseToken, OffsetDateTime next) {
    tx.update(PAYMENTS)
        .set(PAYMENTS.NEXT_ATTEMPT_TIME, next)
        .setNull(PAYMENTS.LEASE_UNTIL)
        .setNull(PAYMENTS.LEASE_TOKEN)
        .where(PAYMENTS.ID.eq(paymentId))
        .and(PAYMENTS.STATUS.eq(PaymentStatus.PENDING))
        .and(PAYMENTS.LEASE_TOKEN.eq(leaseToken))
        .execute();
  }

  /** Appends the payment's current status to its history. */
  public static void recordStatus(
      DSLContext tx, UuidV7Generator ids, PaymentRow payment, String cause) {
    RECORD_STATUS.execute(
        tx,
        ids.next(),
        payment.tenantId(),
        payment.id(),
        payment.status(),
        cause,
        payment.updateTime());
  }

  /** The payment's status history, oldest first. */
  public static List<StatusChange> history(DSLContext ctx, UUID paymentId) {
    return ctx.selectFrom(PAYMENT_STATUS_HISTORY)
        .where(PAYMENT_STATUS_HISTORY.PAYMENT_ID.eq(paymentId))
        .orderBy(PAYMENT_STATUS_HISTORY.CHANGE_TIME, PAYMENT_STATUS_HISTORY.ID)
        .fetch(
            h ->
                new StatusChange(
                    h.getId(),
                    h.getTenantId(),
                    h.getPaymentId(),
                    h.getStatus(),
                    h.getCause(),
                    h.getChangeTime()));
  }

  /** The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static PaymentRow row(PaymentsRecord r) {
    return new PaymentRow(
        r.getId(),
        r.getTenantId(),
        r.getOrderId(),
        r.getCustomerId(),
        r.getAmountMinor(),
        r.getRefundedAmountMinor(),
        r.getCurrency(),
        r.getStatus(),
        r.getProvider(),
        r.getProviderChargeId(),
        r.getFailureCode(),
        r.getFailureMessage(),
        r.getCreateTime(),
        r.getUpdateTime(),
        r.getVersion(),
        r.getNextAttemptTime(),
        r.getAttempts(),
        r.getLeaseUntil(),
        r.getLeaseToken(),
        r.getCancelRequested(),
        HeaderJson.decode(r.getTraceHeaders()));
  }

  /** A payments row of a select of every column, in the table's order. */
  private static PaymentRow row(ResultSet rs) throws SQLException {
    return new PaymentRow(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getObject(3, UUID.class),
        rs.getObject(4, UUID.class),
        rs.getLong(5),
        rs.getLong(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getObject(13, OffsetDateTime.class),
        rs.getObject(14, OffsetDateTime.class),
        rs.getLong(15),
        rs.getObject(16, OffsetDateTime.class),
        rs.getInt(17),
        rs.getObject(18, OffsetDateTime.class),
        rs.getObject(19, UUID.class),
        rs.getBoolean(20),
        HeaderJson.decode(JSONB.jsonbOrNull(rs.getString(21))));
  }

  /** The values of every column of {@code p}, in the table's order. */
  private static Object[] values(PaymentRow p) {
    return new Object[] {
      p.id(),
      p.tenantId(),
      p.orderId(),
      p.customerId(),
      p.amountMinor(),
      p.refundedAmountMinor(),
      p.currency(),
      p.status(),
      p.provider(),
      p.providerChargeId(),
      p.failureCode(),
      p.failureMessage(),
      p.createTime(),
      p.updateTime(),
      p.version(),
      p.nextAttemptTime(),
      p.attempts(),
      p.leaseUntil(),
      p.leaseToken(),
      p.cancelRequested(),
      HeaderJson.encode(p.traceHeaders())
    };
  }
}
