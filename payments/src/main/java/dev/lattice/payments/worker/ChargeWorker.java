package dev.lattice.payments.worker;

import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.ChargeRequest;
import dev.lattice.payments.ledger.ChargeRequestStore;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.ChargeCommand;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.PermanentProviderException;
import dev.lattice.payments.provider.ProviderCharge;
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
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Charges due PENDING payments (decision 0008). A round claims up to {@value #BATCH} payments whose
 * {@code next_attempt_time} has come ({@code FOR UPDATE SKIP LOCKED}, a lease), then, with no
 * transaction open, asks the provider: a charge with the order id as idempotency key, or, when the
 * provider already has the charge or the order was cancelled, only a look-up. The answer is
 * recorded in one transaction (status, history, event, via {@link Settlements}); transient failures
 * wait with {@link Backoff}; a charge the provider reports pending is looked up again after {@code
 * pendingRecheck} unless its webhook settles it first. Thread-safe; several workers (replicas) may
 * run.
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
  private final Tracer tracer;
  private final TraceHeaders traceHeaders;

  public ChargeWorker(
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

  /** Claims the due payments; each is then handed to {@link #process}. */
  List<PaymentRow> claim() {
    UUID token = UUID.randomUUID();
    OffsetDateTime now = settlements.now();
    return Transactions.acrossTenants(
        dsl, tx -> PaymentStore.claimDue(tx, now, now.plus(lease), token, BATCH));
  }

  /**
   * Calls the provider for one claimed payment and records the answer, in a span {@code charge}
   * under the trace context stored with the payment: the charge, and the event that records its
   * outcome, stay in the trace of the order.
   */
  void process(PaymentRow claim) {
    Span span =
        tracer
            .spanBuilder("charge")
            .setParent(traceHeaders.restore(claim.traceHeaders()))
            .setAttribute("lattice.payment.id", claim.id().toString())
            .setAttribute("lattice.order.id", claim.orderId().toString())
            .setAttribute("lattice.attempt", claim.attempts())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      charge(claim, span);
    } finally {
      span.end();
    }
  }

  private void charge(PaymentRow claim, Span span) {
    try {
      Optional<ProviderCharge> charge = ask(claim);
      span.setAttribute(
          "lattice.provider.outcome", charge.map(c -> c.outcome().name()).orElse("NO_CHARGE"));
      Transactions.inTenantTransaction(
          dsl,
          claim.tenantId(),
          tx -> {
            PaymentRow payment = PaymentStore.lock(tx, claim.tenantId(), claim.id()).orElseThrow();
            if (!PaymentStatus.PENDING.equals(payment.status())) {
              return null;
            }
            if (charge.isEmpty()) {
              // Only looked up (cancelled order, or the token is gone) and the provider has no
              // charge.
              boolean cancelled = payment.cancelRequested();
              settlements.fail(
                  tx,
                  payment,
                  null,
                  cancelled ? Settlements.ORDER_CANCELLED : "payment_method_unavailable",
                  cancelled
                      ? "the order was cancelled before it was charged"
                      : "the payment method is no longer available",
                  false,
                  CAUSE,
                  PaymentsEvents.SYSTEM);
              return null;
            }
            ProviderCharge answer = charge.get();
            switch (answer.outcome()) {
              case SUCCEEDED ->
                  settlements.capture(tx, payment, answer.id(), CAUSE, PaymentsEvents.SYSTEM);
              case DECLINED ->
                  settlements.fail(
                      tx,
                      payment,
                      answer.id(),
                      answer.failureCode(),
                      answer.failureMessage(),
                      false,
                      CAUSE,
                      PaymentsEvents.SYSTEM);
              case PENDING -> {
                if (claim.leaseToken().equals(payment.leaseToken())) {
                  PaymentStore.markChargePending(
                      tx, payment.id(), answer.id(), settlements.now().plus(pendingRecheck));
                }
              }
            }
            return null;
          });
    } catch (TransientProviderException e) {
      log.info(
          "charge of payment {} (attempt {}) will be retried: {}",
          claim.id(),
          claim.attempts(),
          e.getMessage());
      span.setStatus(StatusCode.ERROR, "will be retried: " + e.getMessage());
      retryLater(claim);
    } catch (PermanentProviderException e) {
      log.warn("the provider refused the charge of payment {}: {}", claim.id(), e.getMessage());
      span.setStatus(StatusCode.ERROR, "refused: " + e.getMessage());
      Transactions.inTenantTransaction(
          dsl,
          claim.tenantId(),
          tx ->
              PaymentStore.lock(tx, claim.tenantId(), claim.id())
                  .map(
                      payment ->
                          settlements.fail(
                              tx,
                              payment,
                              null,
                              "provider_rejected",
                              e.getMessage(),
                              false,
                              CAUSE,
                              PaymentsEvents.SYSTEM))
                  .orElse(false));
    } catch (RuntimeException e) {
      Optional<String> database = ErrorMapper.databaseUnavailableCause(e);
      if (database.isPresent()) {
        // Saturation or an outage, not a bug: one line, no stack trace.
        log.warn(
            "charge of payment {} paused, the database out of reach: {}; retrying later",
            claim.id(),
            database.get());
      } else {
        log.error("charge of payment {} failed unexpectedly; retrying later", claim.id(), e);
      }
      span.recordException(e);
      span.setStatus(
          StatusCode.ERROR, database.isPresent() ? "database out of reach" : "failed unexpectedly");
      retryLater(claim);
    }
  }

  private Optional<ProviderCharge> ask(PaymentRow claim) {
    if (claim.providerChargeId() != null) {
      return Optional.of(provider.retrieveCharge(claim.providerChargeId()));
    }
    String key = claim.orderId().toString();
    Optional<ChargeRequest> request =
        Transactions.inTenantTransaction(
            dsl,
            claim.tenantId(),
            tx -> ChargeRequestStore.find(tx, claim.tenantId(), claim.orderId()));
    if (claim.cancelRequested() || request.isEmpty()) {
      return provider.findCharge(key);
    }
    return Optional.of(
        provider.charge(
            new ChargeCommand(
                key,
                claim.amountMinor(),
                claim.currency(),
                request.get().paymentMethodToken(),
                "Lattice order " + key,
                Map.of(
                    "tenant_id", claim.tenantId().toString(),
                    "order_id", key,
                    "payment_id", claim.id().toString()))));
  }

  private void retryLater(PaymentRow claim) {
    Transactions.inTenantTransaction(
        dsl,
        claim.tenantId(),
        tx -> {
          PaymentStore.retryLater(
              tx,
              claim.id(),
              claim.leaseToken(),
              settlements.now().plus(backoff.after(claim.attempts())));
          return null;
        });
  }
}
