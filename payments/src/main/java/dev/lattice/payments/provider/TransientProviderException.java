package dev.lattice.payments.provider;

/**
 * The call may succeed later with the same idempotency key: the provider was unreachable, timed
 * out, answered 5xx or 429, is still processing a request with the key, or the circuit breaker is
 * open. Whether the provider acted is unknown.
 */
public final class TransientProviderException extends ProviderException {

  public TransientProviderException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
