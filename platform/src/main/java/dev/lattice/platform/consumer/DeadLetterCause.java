package dev.lattice.platform.consumer;

import dev.lattice.operations.v1.DeadLetterReason;

/**
 * Why a consumer dead-lettered a message; written to the {@value DeadLetterHeaders#REASON} header
 * by name. Finer than the contract's {@link DeadLetterReason}, to which {@link #reason()} maps.
 */
public enum DeadLetterCause {
  /** The data is not an Envelope, its event_id is not a UUID, or its payload does not parse. */
  PARSE_ERROR(DeadLetterReason.DEAD_LETTER_REASON_UNPARSEABLE),
  /**
   * No handler is registered for the payload type. Consumers filter their subjects, so this is a
   * producer/consumer mismatch worth an operator's attention, not something to skip silently.
   */
  UNKNOWN_EVENT_TYPE(DeadLetterReason.DEAD_LETTER_REASON_UNPARSEABLE),
  /** The handler failed permanently (see {@link PermanentEventException}). */
  PERMANENT_FAILURE(DeadLetterReason.DEAD_LETTER_REASON_PERMANENT_FAILURE),
  /** The last allowed delivery failed transiently, or was never acknowledged. */
  MAX_DELIVERIES_EXCEEDED(DeadLetterReason.DEAD_LETTER_REASON_MAX_DELIVERIES_EXCEEDED);

  private final DeadLetterReason reason;

  DeadLetterCause(DeadLetterReason reason) {
    this.reason = reason;
  }

  /** The contract's reason ({@code lattice.operations.v1.DeadLetterReason}). */
  public DeadLetterReason reason() {
    return reason;
  }
}
