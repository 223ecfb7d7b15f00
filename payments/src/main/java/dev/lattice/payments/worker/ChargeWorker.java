package dev.lattice.payments.worker;

import static dev.lattice.payments.store.jooq.Tables.CHARGE_REQUESTS;
import static dev.lattice.payments.store.jooq.Tables.PAYMENTS;

import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.ChargeCommand;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.PermanentProviderException;
import dev.lattice.payments.provider.ProviderCharge;
import dev.lattice.payments.provider.TransientProviderException;
import dev.lattice.payments.store.jooq.tables.records.ChargeRequestsRecord;
import dev.lattice.payments.store.jooq.tables.records.PaymentsRecord;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.retry.Backoff;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Charges due PENDING payments (decision 0008). A round claims up to {@value #BATCH} payments
 * whose {@code next_attempt_time} has come ({@code FOR UPDATE SKIP LOCKED}, a lease), then, with
 * no transaction open, asks the provider: a charge with the order id as idempotency key, or, when
 * the provider already has the charge or the order was cancelled, only a look-up. The answer is
 * recorded in one transaction (status, history, event, via {@link Settlements}); transient
 * failures wait with {@link Backoff}; a charge the provider reports pending is looked up again
 * after {@code pendingRecheck} unless its webhook settles it first. Thread-safe; several workers
 * (replicas) may run.
 */
public final class ChargeWorker {

  static final int BATCH = 16;
  private static final String CAUSE = "charge";
  private static final Logger log = LoggerFactory.getLogger(ChargeWorker.class);

  private final DSLContext dsl;
  private final PaymentProvider provider;
  private final Settlements settlements;
  private final Backoff backoff;
  private final Duration lease;
  private final Duration pendingRecheck;

  public ChargeWorker(
      DSLContext dsl, PaymentProvider provider, Settlements settlements, Backoff backoff,
      Duration lease, Duration pendingRecheck) {
    this.dsl = dsl;
    this.provider = provider;
    this.settlements = settlements;
    this.backoff = backoff;
    this.lease = lease;
    this.pendingRecheck = pendingRecheck;
  }

  /** Claims the due payments; each is then handed to {@link #process}. */
  List<PaymentsRecord> claim() {
    UUID token = UUID.randomUUID();
    OffsetDateTime now = settlements.now();
    return Transactions.inTransaction(dsl, tx -> tx.update(PAYMENTS)
        .set(PAYMENTS.LEASE_UNTIL, now.plus(lease))
        .set(PAYMENTS.LEASE_TOKEN, token)
        .set(PAYMENTS.ATTEMPTS, PAYMENTS.ATTEMPTS.plus(1))
        .where(PAYMENTS.ID.in(DSL.select(PAYMENTS.ID)
            .from(PAYMENTS)
            .where(PAYMENTS.STATUS.eq(PaymentStatus.PENDING))
            .and(PAYMENTS.NEXT_ATTEMPT_TIME.le(now))
            .and(PAYMENTS.LEASE_UNTIL.isNull().or(PAYMENTS.LEASE_UNTIL.lt(now)))
            .orderBy(PAYMENTS.NEXT_ATTEMPT_TIME)
            .limit(BATCH)
            .forUpdate()
            .skipLocked()))
        .returning()
        .fetch());
  }

  /** Calls the provider for one claimed payment and records the answer. */
  void process(PaymentsRecord claim) {
    try {
      Optional<ProviderCharge> charge = ask(claim);
      Transactions.inTransaction(dsl, tx -> {
        PaymentsRecord payment = PaymentStore.lock(tx, claim.getTenantId(), claim.getId()).orElseThrow();
        if (!PaymentStatus.PENDING.equals(payment.getStatus())) {
          return null;
        }
        if (charge.isEmpty()) {
          // Only looked up (cancelled order, or the token is gone) and the provider has no charge.
          boolean cancelled = payment.getCancelRequested();
          settlements.fail(tx, payment, null,
              cancelled ? Settlements.ORDER_CANCELLED : "payment_method_unavailable",
              cancelled ? "the order was cancelled before it was charged"
                  : "the payment method is no longer available", false, CAUSE, PaymentsEvents.SYSTEM);
          return null;
        }
        ProviderCharge answer = charge.get();
        switch (answer.outcome()) {
          case SUCCEEDED -> settlements.capture(tx, payment, answer.id(), CAUSE, PaymentsEvents.SYSTEM);
          case DECLINED -> settlements.fail(tx, payment, answer.id(), answer.failureCode(),
              answer.failureMessage(), false, CAUSE, PaymentsEvents.SYSTEM);
          case PENDING -> {
            if (claim.getLeaseToken().equals(payment.getLeaseToken())) {
              payment.setProviderChargeId(answer.id());
              payment.setNextAttemptTime(settlements.now().plus(pendingRecheck));
              payment.setLeaseUntil(null);
              payment.setLeaseToken(null);
              payment.update();
            }
          }
        }
        return null;
      });
    } catch (TransientProviderException e) {
      log.info("charge of payment {} (attempt {}) will be retried: {}", claim.getId(), claim.getAttempts(), e.getMessage());
      retryLater(claim);
    } catch (PermanentProviderException e) {
      log.warn("the provider refused the charge of payment {}: {}", claim.getId(), e.getMessage());
      Transactions.inTransaction(dsl, tx -> PaymentStore.lock(tx, claim.getTenantId(), claim.getId())
          .map(payment -> settlements.fail(tx, payment, null, "provider_rejected", e.getMessage(), false,
              CAUSE, PaymentsEvents.SYSTEM))
          .orElse(false));
    } catch (RuntimeException e) {
      log.error("charge of payment {} failed unexpectedly; retrying later", claim.getId(), e);
      retryLater(claim);
    }
  }

  private Optional<ProviderCharge> ask(PaymentsRecord claim) {
    if (claim.getProviderChargeId() != null) {
      return Optional.of(provider.retrieveCharge(claim.getProviderChargeId()));
    }
    String key = claim.getOrderId().toString();
    Optional<ChargeRequestsRecord> request = dsl.selectFrom(CHARGE_REQUESTS)
        .where(CHARGE_REQUESTS.TENANT_ID.eq(claim.getTenantId()))
        .and(CHARGE_REQUESTS.ORDER_ID.eq(claim.getOrderId()))
        .fetchOptional();
    if (claim.getCancelRequested() || request.isEmpty()) {
      return provider.findCharge(key);
    }
    return Optional.of(provider.charge(new ChargeCommand(
        key,
        claim.getAmountMinor(),
        claim.getCurrency(),
        request.get().getPaymentMethodToken(),
        "Lattice order " + key,
        Map.of(
            "tenant_id", claim.getTenantId().toString(),
            "order_id", key,
            "payment_id", claim.getId().toString()))));
  }

  private void retryLater(PaymentsRecord claim) {
    Transactions.inTransaction(dsl, tx -> tx.update(PAYMENTS)
        .set(PAYMENTS.NEXT_ATTEMPT_TIME, settlements.now().plus(backoff.after(claim.getAttempts())))
        .setNull(PAYMENTS.LEASE_UNTIL)
        .setNull(PAYMENTS.LEASE_TOKEN)
        .where(PAYMENTS.ID.eq(claim.getId()))
        .and(PAYMENTS.STATUS.eq(PaymentStatus.PENDING))
        .and(PAYMENTS.LEASE_TOKEN.eq(claim.getLeaseToken()))
        .execute());
  }
}
