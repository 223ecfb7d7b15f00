package dev.lattice.platform.consumer;

/**
 * NATS header names on messages in the DEAD_LETTERS stream (and on replayed events). A dead
 * letter's data is the original message's data, unchanged; its headers are the original headers
 * (except {@code Nats-Msg-Id}, moved to {@link #ORIGINAL_MSG_ID} so that the DEAD_LETTERS duplicate
 * window never drops a second failure of the same event) plus the {@code Lattice-Dead-Letter-*}
 * headers below.
 */
public final class DeadLetterHeaders {

  /** Prefix of every header the dead-lettering adds. */
  public static final String PREFIX = "Lattice-Dead-Letter-";

  /** {@link DeadLetterCause} name. */
  public static final String REASON = PREFIX + "Reason";

  /** The consuming service. */
  public static final String SERVICE = PREFIX + "Service";

  /** The durable consumer that gave up. */
  public static final String CONSUMER = PREFIX + "Consumer";

  /** How many times the consumer received the message (decimal). */
  public static final String DELIVERY_COUNT = PREFIX + "Delivery-Count";

  /** The subject the event was published on. */
  public static final String ORIGINAL_SUBJECT = PREFIX + "Original-Subject";

  /** The stream the event came from. */
  public static final String ORIGINAL_STREAM = PREFIX + "Original-Stream";

  /** The event's sequence in that stream (decimal). */
  public static final String ORIGINAL_SEQUENCE = PREFIX + "Original-Sequence";

  /** The original {@code Nats-Msg-Id}, if it had one. */
  public static final String ORIGINAL_MSG_ID = PREFIX + "Original-Msg-Id";

  /** When it was dead-lettered, ISO-8601 UTC with milliseconds. */
  public static final String FAILED_AT = PREFIX + "Failed-At";

  /** The last error: exception class and message, printable ASCII, at most 1000 characters. */
  public static final String ERROR = PREFIX + "Error";

  /** Envelope.event_id, when the data parsed. */
  public static final String EVENT_ID = PREFIX + "Event-Id";

  /** Envelope.type, when the data parsed. */
  public static final String EVENT_TYPE = PREFIX + "Event-Type";

  /**
   * On a replayed event (and so on a dead letter of it): how many times it has been replayed
   * (decimal).
   */
  public static final String REPLAY_COUNT = "Lattice-Replay-Count";

  /** On a replayed event: when it was last replayed, ISO-8601 UTC. */
  public static final String REPLAY_TIME = "Lattice-Replay-Time";

  /** The JetStream de-duplication header. */
  public static final String NATS_MSG_ID = "Nats-Msg-Id";

  private DeadLetterHeaders() {}
}
