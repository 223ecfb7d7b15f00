package dev.lattice.platform.consumer;

import java.util.Objects;

/**
 * What {@link DeadLetters#list(DeadLetterQuery)} returns: dead letters of one service, optionally
 * of one consumer and one event type, after a DEAD_LETTERS sequence. Immutable.
 *
 * @param service the consuming service, e.g. {@code inventory}
 * @param consumer only this durable consumer; empty for any
 * @param eventType only this Envelope.type, e.g. {@code lattice.orders.order_created}; empty for
 *     any
 * @param pageSize the most dead letters to return, 1 to {@value #MAX_PAGE_SIZE}
 * @param afterSequence return dead letters after this DEAD_LETTERS sequence; 0 for the first page
 */
public record DeadLetterQuery(
    String service, String consumer, String eventType, int pageSize, long afterSequence) {

  /** The largest page. */
  public static final int MAX_PAGE_SIZE = 1000;

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the page size or sequence is out of range or a name
   *     contains NATS subject tokens
   */
  public DeadLetterQuery {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(eventType, "eventType");
    DeadLetters.requireToken(service, "service");
    if (!consumer.isEmpty()) {
      DeadLetters.requireToken(consumer, "consumer");
    }
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be 1.." + MAX_PAGE_SIZE + ": " + pageSize);
    }
    if (afterSequence < 0) {
      throw new IllegalArgumentException("afterSequence must not be negative: " + afterSequence);
    }
  }

  /** Every dead letter of {@code service}. */
  public static DeadLetterQuery of(String service, int pageSize, long afterSequence) {
    return new DeadLetterQuery(service, "", "", pageSize, afterSequence);
  }
}
