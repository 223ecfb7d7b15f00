package dev.lattice.payments.provider;

/**
 * The provider refused the request as such (bad parameters, unknown token or charge, a key reused
 * with another body, an amount it will not refund); repeating it cannot succeed.
 */
public final class PermanentProviderException extends ProviderException {

  private final int status;

  public PermanentProviderException(int status, String code, String message) {
    super(code, message, null);
    this.status = status;
  }

  /** The HTTP status the provider answered; 404 means the charge or refund does not exist. */
  public int status() {
    return status;
  }
}
