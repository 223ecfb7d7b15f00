package dev.lattice.orders.store;

import static dev.lattice.orders.store.jooq.Tables.ORDERS;
import static dev.lattice.orders.store.jooq.Tables.ORDER_LINES;
import static dev.lattice.orders.store.jooq.Tables.ORDER_STATUS_HISTORY;

import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.orders.domain.OrderState;
import dev.lattice.orders.store.jooq.tables.records.OrderLinesRecord;
import dev.lattice.orders.store.jooq.tables.records.OrderStatusHistoryRecord;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.orders.v1.CancellationReason;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderLine;
import dev.lattice.orders.v1.Shipment;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Reads and writes of orders, their lines and status history, and their proto form. Every query
 * is filtered by tenant. Stateless; callers pass the context (a transaction where they write).
 */
public final class OrderStore {

  private OrderStore() {}

  /** The order {@code orderId} of {@code tenantId}. */
  public static Optional<OrdersRecord> find(DSLContext ctx, UUID tenantId, UUID orderId) {
    return ctx.selectFrom(ORDERS)
        .where(ORDERS.ID.eq(orderId))
        .and(ORDERS.TENANT_ID.eq(tenantId))
        .fetchOptional();
  }

  /** The order {@code orderId} of {@code tenantId}, locked FOR UPDATE until {@code tx} ends. */
  public static Optional<OrdersRecord> lock(DSLContext tx, UUID tenantId, UUID orderId) {
    return tx.selectFrom(ORDERS)
        .where(ORDERS.ID.eq(orderId))
        .and(ORDERS.TENANT_ID.eq(tenantId))
        .forUpdate()
        .fetchOptional();
  }

  /**
   * One page of a tenant's orders, newest first: {@code (create_time, id)} descending, after the
   * keyset {@code after} when given.
   */
  public static List<OrdersRecord> page(
      DSLContext ctx, List<Condition> where, Optional<Keyset> after, int limit) {
    List<Condition> conditions = new ArrayList<>(where);
    after.ifPresent(keyset -> conditions.add(
        DSL.row(ORDERS.CREATE_TIME, ORDERS.ID).lt(utc(keyset.createTime()), keyset.id())));
    return ctx.selectFrom(ORDERS)
        .where(conditions)
        .orderBy(ORDERS.CREATE_TIME.desc(), ORDERS.ID.desc())
        .limit(limit)
        .fetch();
  }

  /** The keyset of {@link #page}: where the previous page ended. */
  public record Keyset(Instant createTime, UUID id) {}

  /** The lines of {@code orderIds}, by order, each in line-number order. */
  public static Map<UUID, List<OrderLinesRecord>> lines(
      DSLContext ctx, UUID tenantId, Collection<UUID> orderIds) {
    Map<UUID, List<OrderLinesRecord>> byOrder = new LinkedHashMap<>();
    orderIds.forEach(id -> byOrder.put(id, new ArrayList<>()));
    ctx.selectFrom(ORDER_LINES)
        .where(ORDER_LINES.TENANT_ID.eq(tenantId))
        .and(ORDER_LINES.ORDER_ID.in(orderIds))
        .orderBy(ORDER_LINES.ORDER_ID, ORDER_LINES.LINE_NUMBER)
        .fetch()
        .forEach(line -> byOrder.get(line.getOrderId()).add(line));
    return byOrder;
  }

  /** The lines of one order, in line-number order. */
  public static List<OrderLinesRecord> lines(DSLContext ctx, UUID tenantId, UUID orderId) {
    return lines(ctx, tenantId, List.of(orderId)).get(orderId);
  }

  /**
   * Appends a status history row.
   *
   * @param from the status before, null for the order's creation
   * @param reason the cancellation reason, or what caused the change ({@code payment_captured})
   * @param causeEventId the event that caused the change; null when an RPC did
   */
  public static void history(
      DSLContext tx, OrdersRecord order, OrderState from, String reason, String note, Actor actor,
      UUID causeEventId, UUID historyId) {
    OrderStatusHistoryRecord row = tx.newRecord(ORDER_STATUS_HISTORY);
    row.setId(historyId);
    row.setTenantId(order.getTenantId());
    row.setOrderId(order.getId());
    row.setFromStatus(from == null ? null : from.name());
    row.setToStatus(order.getStatus());
    row.setReason(reason);
    row.setNote(note);
    row.setActorType(actor.getType().name().substring("ACTOR_TYPE_".length()));
    row.setActorSubjectId(actor.getSubjectId());
    row.setCauseEventId(causeEventId);
    row.setChangeTime(order.getUpdateTime());
    row.insert();
  }

  /** The state of a stored order. */
  public static OrderState state(OrdersRecord order) {
    return OrderState.valueOf(order.getStatus());
  }

  /** The proto form of an order with its lines. */
  public static Order toProto(OrdersRecord row, List<OrderLinesRecord> lines) {
    Order.Builder order = Order.newBuilder()
        .setId(row.getId().toString())
        .setTenantId(row.getTenantId().toString())
        .setCustomerId(row.getCustomerId().toString())
        .setStatus(state(row).toProto())
        .setCurrency(row.getCurrency())
        .setTotalAmountMinor(row.getTotalAmountMinor())
        .setCancellationNote(row.getCancellationNote())
        .setCreateTime(timestamp(row.getCreateTime()))
        .setUpdateTime(timestamp(row.getUpdateTime()))
        .setVersion(row.getVersion());
    lines.forEach(line -> order.addLines(toProto(line)));
    if (row.getCancellationReason() != null) {
      order.setCancellationReason(
          CancellationReason.valueOf("CANCELLATION_REASON_" + row.getCancellationReason()));
    }
    if (row.getPaymentId() != null) {
      order.setPaymentId(row.getPaymentId().toString());
    }
    if (row.getShipmentCarrier() != null) {
      order.setShipment(Shipment.newBuilder()
          .setCarrier(row.getShipmentCarrier())
          .setTrackingNumber(row.getShipmentTrackingNumber())
          .setShipTime(timestamp(row.getShipTime())));
    }
    if (row.getPayTime() != null) {
      order.setPayTime(timestamp(row.getPayTime()));
    }
    if (row.getPackTime() != null) {
      order.setPackTime(timestamp(row.getPackTime()));
    }
    if (row.getDeliverTime() != null) {
      order.setDeliverTime(timestamp(row.getDeliverTime()));
    }
    if (row.getCancelTime() != null) {
      order.setCancelTime(timestamp(row.getCancelTime()));
    }
    if (row.getRefundTime() != null) {
      order.setRefundTime(timestamp(row.getRefundTime()));
    }
    return order.build();
  }

  /** The proto form of a line. */
  public static OrderLine toProto(OrderLinesRecord line) {
    return OrderLine.newBuilder()
        .setProductId(line.getProductId().toString())
        .setSku(line.getSku())
        .setName(line.getName())
        .setQuantity(line.getQuantity())
        .setUnitPriceAmountMinor(line.getUnitPriceAmountMinor())
        .setLineTotalAmountMinor(line.getLineTotalAmountMinor())
        .build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /** The instant as a UTC date-time for the database, truncated to PostgreSQL's microseconds. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }
}
