package dev.lattice.payments.provider;

/** A provider call that did not produce a result; see the two subclasses for what to do. */
public abstract sealed class ProviderException extends RuntimeException
    permits TransientProviderException, PermanentProviderException {

  private final String code;

  ProviderException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The provider's error code ({@code service_unavailable}, {@code timeout}, …). */
  public String code() {
    return code;
  }
}
