package dev.lattice.orders.order;

import dev.lattice.orders.v1.CancellationReason;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An order as orders keeps it: the aggregate that CreateOrder places and the lifecycle moves, with
 * its lines. Times are kept to the microsecond, as PostgreSQL stores them. Immutable.
 *
 * @param id the order id
 * @param tenantId the tenant the order belongs to
 * @param customerId the user who placed it
 * @param state its current status
 * @param currency the ISO 4217 code of every amount of the order
 * @param totalAmountMinor the sum of the line totals, in minor units
 * @param lines the lines with the prices captured at CreateOrder, in line-number order
 * @param cancellationReason why it ended CANCELLED or REFUNDED; UNSPECIFIED for none
 * @param cancellationNote the note of its cancellation or refund; empty for none
 * @param paymentId the capturing payment once PAID; null before
 * @param refundId the refund once REFUNDED; null otherwise
 * @param shipmentCarrier the carrier once SHIPPED; null before
 * @param shipmentTrackingNumber the tracking number once SHIPPED; null before
 * @param createTime when it was placed
 * @param updateTime when it last changed
 * @param payTime when it became PAID; null before
 * @param packTime when it became PACKED; null before
 * @param shipTime when it became SHIPPED; null before
 * @param deliverTime when it became DELIVERED; null before
 * @param cancelTime when it became CANCELLED; null otherwise
 * @param refundTime when it became REFUNDED; null otherwise
 * @param version the optimistic-locking version, 1 when placed, one more on every change
 */
public record Order(
    UUID id,
    UUID tenantId,
    UUID customerId,
    OrderState state,
    String currency,
    long totalAmountMinor,
    List<OrderLine> lines,
    CancellationReason cancellationReason,
    String cancellationNote,
    UUID paymentId,
    UUID refundId,
    String shipmentCarrier,
    String shipmentTrackingNumber,
    Instant createTime,
    Instant updateTime,
    Instant payTime,
    Instant packTime,
    Instant shipTime,
    Instant deliverTime,
    Instant cancelTime,
    Instant refundTime,
    long version) {

  /** Checks the parts every order has and copies the lines. */
  public Order {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(cancellationReason, "cancellationReason");
    Objects.requireNonNull(cancellationNote, "cancellationNote");
    Objects.requireNonNull(createTime, "createTime");
    Objects.requireNonNull(updateTime, "updateTime");
    lines = List.copyOf(lines);
  }

  /** A new order in CREATED, version 1, placed at {@code now}. */
  public static Order placed(
      UUID id,
      OrderAccess customer,
      String currency,
      long totalAmountMinor,
      List<OrderLine> lines,
      Instant now) {
    return new Order(
        id,
        customer.tenantId(),
        customer.subject(),
        OrderState.CREATED,
        currency,
        totalAmountMinor,
        lines,
        CancellationReason.CANCELLATION_REASON_UNSPECIFIED,
        "",
        null,
        null,
        null,
        null,
        now,
        now,
        null,
        null,
        null,
        null,
        null,
        null,
        1L);
  }

  /** This order with {@code lines} instead of its own: for a store reading the lines after it. */
  public Order withLines(List<OrderLine> lines) {
    return new Order(
        id,
        tenantId,
        customerId,
        state,
        currency,
        totalAmountMinor,
        lines,
        cancellationReason,
        cancellationNote,
        paymentId,
        refundId,
        shipmentCarrier,
        shipmentTrackingNumber,
        createTime,
        updateTime,
        payTime,
        packTime,
        shipTime,
        deliverTime,
        cancelTime,
        refundTime,
        version);
  }

  /** The time of {@code clock} as an order keeps it: truncated to PostgreSQL's microseconds. */
  public static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
