package dev.lattice.payments.worker;

import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.RefundRow;
import dev.lattice.payments.ledger.RefundStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.PermanentProviderException;
import dev.lattice.payments.provider.ProviderRefund;
import dev.lattice.payments.provider.RefundCommand;
import dev.lattice.payments.provider.TransientProviderException;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.ErrorMapper;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.retry.Backoff;
import dev.lattice.platform.telemetry.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due PENDING refunds to the provider, the refund id as idempotency key, the same way {@link
 * ChargeWorker} charges: claim with a lease, call with no transaction open, record the answer
 * (refund SUCCEEDED, payment PARTIALLY_REFUNDED/REFUNDED with a history row, PaymentRefunded) in
 * one transaction. Thread-safe.
 */
public final class RefundWorker {

  private static final Logger log = LoggerFactory.getLogger(RefundWorker.class);

  private final DSLContext dsl;
  private final PaymentProvider provider;
  private final Settlements settlements;
  private final Backoff backoff;
  private final Duration lease;
  private final Duration pendingRecheck;
  private final Tracer tracer;
  private final TraceHeaders traceHeaders;

  public RefundWorker(
      DSLContext dsl,
      PaymentProvider provider,
      Settlements settlements,
      Backoff backoff,
      Duration lease,
      Duration pendingRecheck,
      Telemetry telemetry) {
    this.dsl = dsl;
    this.provider = provider;
    this.settlements = settlements;
    this.backoff = backoff;
    this.lease = lease;
    this.pendingRecheck = pendingRecheck;
    this.tracer = telemetry.tracer(ProviderWorkers.INSTRUMENTATION_SCOPE);
    this.traceHeaders = TraceHeaders.of(telemetry);
  }

  /** Claims the due refunds. */
  List<RefundRow> claim() {
    UUID token = UUID.randomUUID();
    OffsetDateTime now = settlements.now();
    return Transactions.acrossTenants(
        dsl, tx -> RefundStore.claimDue(tx, now, now.plus(lease), token, ChargeWorker.BATCH));
  }

  /**
   * Calls the provider for one claimed refund and records the answer, in a span {@code refund}
   * under the trace context stored with the refund (the call or event that asked for it).
   */
  void process(RefundRow claim) {
    Span span =
        tracer
            .spanBuilder("refund")
            .setParent(traceHeaders.restore(claim.traceHeaders()))
            .setAttribute("lattice.refund.id", claim.id().toString())
            .setAttribute("lattice.payment.id", claim.paymentId().toString())
            .setAttribute("lattice.attempt", claim.attempts())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      refund(claim, span);
    } finally {
      span.end();
    }
  }

  private void refund(RefundRow claim, Span span) {
    try {
      ProviderRefund answer;
      if (claim.providerRefundId() != null) {
        answer = provider.retrieveRefund(claim.providerRefundId());
      } else {
        String chargeId =
            Transactions.inTenantTransaction(
                    dsl,
                    claim.tenantId(),
                    tx -> PaymentStore.find(tx, claim.tenantId(), claim.paymentId()))
                .map(PaymentRow::providerChargeId)
                .orElseThrow();
        answer =
            provider.refund(
                new RefundCommand(claim.id().toString(), chargeId, claim.amountMinor()));
      }
      span.setAttribute("lattice.provider.outcome", answer.outcome().name());
      Transactions.inTenantTransaction(
          dsl,
          claim.tenantId(),
          tx -> {
            PaymentRow payment =
                PaymentStore.lock(tx, claim.tenantId(), claim.paymentId()).orElseThrow();
            RefundRow refund = RefundStore.lock(tx, claim.id());
            switch (answer.outcome()) {
              case SUCCEEDED ->
                  settlements.refundSucceeded(
                      tx, payment, refund, answer.id(), PaymentsEvents.SYSTEM);
              case DECLINED ->
                  settlements.refundFailed(
                      tx, refund, "refund_declined", "the provider declined the refund");
              case PENDING -> {
                if (PaymentStatus.REFUND_PENDING.equals(refund.status())
                    && claim.leaseToken().equals(refund.leaseToken())) {
                  RefundStore.markPending(
                      tx, refund.id(), answer.id(), settlements.now().plus(pendingRecheck));
                }
              }
            }
            return null;
          });
    } catch (TransientProviderException e) {
      log.info(
          "refund {} (attempt {}) will be retried: {}",
          claim.id(),
          claim.attempts(),
          e.getMessage());
      span.setStatus(StatusCode.ERROR, "will be retried: " + e.getMessage());
      retryLater(claim);
    } catch (PermanentProviderException e) {
      log.warn("the provider refused refund {}: {}", claim.id(), e.getMessage());
      span.setStatus(StatusCode.ERROR, "refused: " + e.getMessage());
      Transactions.inTenantTransaction(
          dsl,
          claim.tenantId(),
          tx -> {
            RefundRow refund = RefundStore.lock(tx, claim.id());
            return settlements.refundFailed(tx, refund, e.code(), e.getMessage());
          });
    } catch (RuntimeException e) {
      Optional<String> database = ErrorMapper.databaseUnavailableCause(e);
      if (database.isPresent()) {
        // Saturation or an outage, not a bug: one line, no stack trace.
        log.warn(
            "refund {} paused, the database out of reach: {}; retrying later",
            claim.id(),
            database.get());
      } else {
        log.error("refund {} failed unexpectedly; retrying later", claim.id(), e);
      }
      span.recordException(e);
      span.setStatus(
          StatusCode.ERROR, database.isPresent() ? "database out of reach" : "failed unexpectedly");
      retryLater(claim);
    }
  }

  private void retryLater(RefundRow claim) {
    Transactions.inTenantTransaction(
        dsl,
        claim.tenantId(),
        tx -> {
          RefundStore.retryLater(
              tx,
              claim.id(),
              claim.leaseToken(),
              settlements.now().plus(backoff.after(claim.attempts())));
          return null;
        });
  }
}
