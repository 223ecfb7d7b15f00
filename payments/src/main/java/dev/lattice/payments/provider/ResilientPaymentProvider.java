package dev.lattice.payments.provider;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link PaymentProvider} behind a resilience4j circuit breaker (decision 0008): while the
 * provider keeps failing, calls stop and fail at once with {@link TransientProviderException}
 * {@code circuit_open}, so payments wait ({@code next_attempt_time}) instead of piling up timeouts.
 * Only transient failures count against the provider; declines and permanent errors are answers.
 * Retries are not made here but by the workers, with backoff in the database, so a retry survives a
 * restart and holds no thread. Thread-safe.
 */
public final class ResilientPaymentProvider implements PaymentProvider {

  private final PaymentProvider delegate;
  private final CircuitBreaker breaker;

  /**
   * Wraps {@code delegate}: opens at 50 % failures over the last 20 calls (10 at least), for 10 s.
   */
  public ResilientPaymentProvider(PaymentProvider delegate) {
    this(
        delegate,
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(10))
            .permittedNumberOfCallsInHalfOpenState(3)
            .recordException(e -> e instanceof TransientProviderException)
            .build());
  }

  /** Wraps {@code delegate} with a breaker of {@code config}. */
  public ResilientPaymentProvider(PaymentProvider delegate, CircuitBreakerConfig config) {
    this.delegate = delegate;
    this.breaker = CircuitBreaker.of("payment-provider-" + delegate.name(), config);
  }

  /** The breaker, for health and metrics. */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ProviderCharge charge(ChargeCommand command) {
    return guarded(() -> delegate.charge(command));
  }

  @Override
  public ProviderCharge retrieveCharge(String chargeId) {
    return guarded(() -> delegate.retrieveCharge(chargeId));
  }

  @Override
  public Optional<ProviderCharge> findCharge(String idempotencyKey) {
    return guarded(() -> delegate.findCharge(idempotencyKey));
  }

  @Override
  public ProviderRefund refund(RefundCommand command) {
    return guarded(() -> delegate.refund(command));
  }

  @Override
  public ProviderRefund retrieveRefund(String refundId) {
    return guarded(() -> delegate.retrieveRefund(refundId));
  }

  private <T> T guarded(Supplier<T> call) {
    try {
      return breaker.executeSupplier(call);
    } catch (CallNotPermittedException e) {
      throw new TransientProviderException(
          "circuit_open", "the provider's circuit breaker is open", e);
    }
  }
}
