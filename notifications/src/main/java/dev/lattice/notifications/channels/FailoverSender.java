package dev.lattice.notifications.channels;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * A primary provider behind a resilience4j circuit breaker with an optional fallback: while the
 * primary keeps failing transiently the breaker opens and every message goes to the fallback until
 * the breaker lets trial calls through again. A failure of the primary while the breaker is still
 * closed is reported as such, so the delivery is retried with backoff (and the attempt is recorded
 * against the primary). Without a fallback an open breaker is a transient {@code circuit_open}.
 * Thread-safe.
 */
public final class FailoverSender implements MessageSender {

  private final MessageSender primary;
  private final Optional<MessageSender> fallback;
  private final CircuitBreaker breaker;

  /**
   * Wraps {@code primary}: the breaker opens at 50 % transient failures over the last {@code
   * minCalls * 2} calls ({@code minCalls} at least) and stays open for {@code openFor}.
   */
  public FailoverSender(
      MessageSender primary, Optional<MessageSender> fallback, int minCalls, Duration openFor) {
    this.primary = primary;
    this.fallback = fallback;
    this.breaker =
        CircuitBreaker.of(
            "notifications-" + primary.name(),
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(minCalls * 2)
                .minimumNumberOfCalls(minCalls)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(e -> e instanceof SendException s && s.isTransient())
                .ignoreException(e -> e instanceof SendException s && !s.isTransient())
                .build());
  }

  /** The primary's breaker, for health and tests. */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  @Override
  public String name() {
    return primary.name();
  }

  @Override
  public SendResult send(OutgoingMessage message) throws SendException {
    try {
      return breaker.executeCheckedSupplier(() -> primary.send(message));
    } catch (CallNotPermittedException e) {
      if (fallback.isPresent()) {
        return fallback.get().send(message);
      }
      throw new SendException(
          primary.name(),
          "circuit_open",
          "the provider keeps failing; its circuit breaker is open",
          true);
    } catch (SendException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
