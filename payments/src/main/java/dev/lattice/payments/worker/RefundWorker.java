package dev.lattice.payments.worker;

import static dev.lattice.payments.store.jooq.Tables.REFUNDS;

import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.PermanentProviderException;
import dev.lattice.payments.provider.ProviderRefund;
import dev.lattice.payments.provider.RefundCommand;
import dev.lattice.payments.provider.TransientProviderException;
import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.payments.store.jooq.tables.records.RefundsRecord;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.retry.Backoff;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due PENDING refunds to the provider, the refund id as idempotency key, the same way
 * {@link ChargeWorker} charges: claim with a lease, call with no transaction open, record the
 * answer (refund SUCCEEDED, payment PARTIALLY_REFUNDED/REFUNDED with a history row,
 * PaymentRefunded) in one transaction. Thread-safe.
 */
public final class RefundWorker {

  private static final Logger log = LoggerFactory.getLogger(RefundWorker.class);

  private final DSLContext dsl;
  private final PaymentProvider provider;
  private final Settlements settlements;
  private final Backoff backoff;
  private final Duration lease;
  private final Duration pendingRecheck;

  public RefundWorker(
      DSLContext dsl, PaymentProvider provider, Settlements settlements, Backoff backoff,
      Duration lease, Duration pendingRecheck) {
    this.dsl = dsl;
    this.provider = provider;
    this.settlements = settlements;
    this.backoff = backoff;
    this.lease = lease;
    this.pendingRecheck = pendingRecheck;
  }

  /** Claims the due refunds. */
  List<RefundsRecord> claim() {
    UUID token = UUID.randomUUID();
    OffsetDateTime now = settlements.now();
    return Transactions.inTransaction(dsl, tx -> tx.update(REFUNDS)
        .set(REFUNDS.LEASE_UNTIL, now.plus(lease))
        .set(REFUNDS.LEASE_TOKEN, token)
        .set(REFUNDS.ATTEMPTS, REFUNDS.ATTEMPTS.plus(1))
        .where(REFUNDS.ID.in(DSL.select(REFUNDS.ID)
            .from(REFUNDS)
            .where(REFUNDS.STATUS.eq(PaymentStatus.REFUND_PENDING))
            .and(REFUNDS.NEXT_ATTEMPT_TIME.le(now))
            .and(REFUNDS.LEASE_UNTIL.isNull().or(REFUNDS.LEASE_UNTIL.lt(now)))
            .orderBy(REFUNDS.NEXT_ATTEMPT_TIME)
            .limit(ChargeWorker.BATCH)
            .forUpdate()
            .skipLocked()))
        .returning()
        .fetch());
  }

  /** Calls the provider for one claimed refund and records the answer. */
  void process(RefundsRecord claim) {
    try {
      ProviderRefund answer;
      if (claim.getProviderRefundId() != null) {
        answer = provider.retrieveRefund(claim.getProviderRefundId());
      } else {
        String chargeId = PaymentStore.find(dsl, claim.getTenantId(), claim.getPaymentId())
            .map(PaymentsRecord::getProviderChargeId)
            .orElseThrow();
        answer = provider.refund(new RefundCommand(claim.getId().toString(), chargeId, claim.getAmountMinor()));
      }
      Transactions.inTransaction(dsl, tx -> {
        PaymentsRecord payment = PaymentStore.lock(tx, claim.getTenantId(), claim.getPaymentId()).orElseThrow();
        RefundsRecord refund = tx.selectFrom(REFUNDS).where(REFUNDS.ID.eq(claim.getId())).forUpdate().fetchOne();
        switch (answer.outcome()) {
          case SUCCEEDED -> settlements.refundSucceeded(tx, payment, refund, answer.id(), PaymentsEvents.SYSTEM);
          case DECLINED -> settlements.refundFailed(tx, refund, "refund_declined", "the provider declined the refund");
          case PENDING -> {
            if (PaymentStatus.REFUND_PENDING.equals(refund.getStatus())
                && claim.getLeaseToken().equals(refund.getLeaseToken())) {
              refund.setProviderRefundId(answer.id());
              refund.setNextAttemptTime(settlements.now().plus(pendingRecheck));
              refund.setLeaseUntil(null);
              refund.setLeaseToken(null);
              refund.update();
            }
          }
        }
        return null;
      });
    } catch (TransientProviderException e) {
      log.info("refund {} (attempt {}) will be retried: {}", claim.getId(), claim.getAttempts(), e.getMessage());
      retryLater(claim);
    } catch (PermanentProviderException e) {
      log.warn("the provider refused refund {}: {}", claim.getId(), e.getMessage());
      Transactions.inTransaction(dsl, tx -> {
        RefundsRecord refund = tx.selectFrom(REFUNDS).where(REFUNDS.ID.eq(claim.getId())).forUpdate().fetchOne();
        return settlements.refundFailed(tx, refund, e.code(), e.getMessage());
      });
    } catch (RuntimeException e) {
      log.error("refund {} failed unexpectedly; retrying later", claim.getId(), e);
      retryLater(claim);
    }
  }

  private void retryLater(RefundsRecord claim) {
    Transactions.inTransaction(dsl, tx -> tx.update(REFUNDS)
        .set(REFUNDS.NEXT_ATTEMPT_TIME, settlements.now().plus(backoff.after(claim.getAttempts())))
        .setNull(REFUNDS.LEASE_UNTIL)
        .setNull(REFUNDS.LEASE_TOKEN)
        .where(REFUNDS.ID.eq(claim.getId()))
        .and(REFUNDS.STATUS.eq(PaymentStatus.REFUND_PENDING))
        .and(REFUNDS.LEASE_TOKEN.eq(claim.getLeaseToken()))
        .execute());
  }
}
