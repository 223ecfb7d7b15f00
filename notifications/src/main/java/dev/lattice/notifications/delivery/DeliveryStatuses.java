package dev.lattice.notifications.delivery;

/** The stored values of {@code deliveries.status}. */
public final class DeliveryStatuses {

  /** Waiting for its first attempt. */
  public static final String PENDING = "PENDING";

  /** An attempt failed transiently; another is due at next_attempt_time. */
  public static final String RETRYING = "RETRYING";

  /** A provider accepted it. */
  public static final String SENT = "SENT";

  /** Given up: a permanent failure or the last attempt failed. */
  public static final String FAILED = "FAILED";

  /** Not sent on purpose: the channel is off or has no template. */
  public static final String SKIPPED = "SKIPPED";

  private DeliveryStatuses() {}
}
