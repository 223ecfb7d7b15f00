package dev.lattice.payments.saga;

import dev.lattice.payments.ledger.ChargeRequest;
import dev.lattice.payments.ledger.ChargeRequestStore;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.jooq.DSLContext;

/**
 * The saga's first step, on OrderCreated: keeps what payments will need to charge the order once
 * its stock is reserved (amount, currency, customer, card token), in {@code charge_requests} for at
 * most the configured time. Nothing is kept for an order that already has a payment or that
 * payments saw closed (StockRejected, OrderCancelled arrived first). Stateless.
 */
public final class ChargeRequests {

  private final Settlements settlements;
  private final Duration ttl;

  public ChargeRequests(Settlements settlements, Duration ttl) {
    this.settlements = settlements;
    this.ttl = ttl;
  }

  /**
   * Keeps the charge request of {@code order} in {@code tx}, unless its order is closed or paid.
   */
  public void keep(DSLContext tx, OrderToCharge order) {
    SagaStore.lockOrder(tx, order.orderId());
    boolean closed = SagaStore.isClosed(tx, order.tenantId(), order.orderId());
    boolean paid = PaymentStore.existsForOrder(tx, order.tenantId(), order.orderId());
    if (closed || paid) {
      return;
    }
    OffsetDateTime now = settlements.now();
    ChargeRequestStore.insertIfAbsent(
        tx,
        new ChargeRequest(
            settlements.newId(),
            order.tenantId(),
            order.orderId(),
            order.customerId(),
            order.amountMinor(),
            order.currency(),
            order.paymentMethodToken(),
            now,
            now.plus(ttl)));
  }
}
