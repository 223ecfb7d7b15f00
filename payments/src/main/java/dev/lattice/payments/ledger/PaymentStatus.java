package dev.lattice.payments.ledger;

/**
 * The stored states of a payment ({@code payments.status}) and of a refund ({@code
 * refunds.status}).
 */
public final class PaymentStatus {

  public static final String PENDING = "PENDING";
  public static final String CAPTURED = "CAPTURED";
  public static final String FAILED = "FAILED";
  public static final String PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED";
  public static final String REFUNDED = "REFUNDED";

  public static final String REFUND_PENDING = "PENDING";
  public static final String REFUND_SUCCEEDED = "SUCCEEDED";
  public static final String REFUND_FAILED = "FAILED";

  private PaymentStatus() {}

  /** Whether a payment in {@code status} holds captured money that may be refunded. */
  public static boolean refundable(String status) {
    return CAPTURED.equals(status) || PARTIALLY_REFUNDED.equals(status);
  }
}
