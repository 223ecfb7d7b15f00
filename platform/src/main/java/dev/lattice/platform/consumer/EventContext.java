package dev.lattice.platform.consumer;

import dev.lattice.events.v1.Envelope;
import java.util.Objects;
import org.jooq.DSLContext;

/**
 * What an {@link EventHandler} knows about the event it handles. Immutable; valid only for the
 * duration of the {@link EventHandler#handle} call ({@link #tx()} is closed afterwards).
 *
 * @param consumer the durable consumer name
 * @param envelope the parsed event envelope
 * @param tx the jOOQ context bound to the inbox transaction; every effect goes through it
 * @param deliveryCount which delivery of this message this is, starting at 1
 * @param subject the NATS subject the event arrived on
 * @param streamSequence the message's sequence in its stream
 * @param replayCount how many times an operator has replayed this event from DEAD_LETTERS (0: the
 *     original, as its producer published it)
 * @param batch the events this transaction handles, this one among them, and what their handlers
 *     share in it
 */
public record EventContext(
    String consumer,
    Envelope envelope,
    DSLContext tx,
    long deliveryCount,
    String subject,
    long streamSequence,
    int replayCount,
    TransactionBatch batch) {

  /** Checks that nothing is null. */
  public EventContext {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(tx, "tx");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(batch, "batch");
  }

  /** True when an operator replayed this event from DEAD_LETTERS. */
  public boolean isReplay() {
    return replayCount > 0;
  }

  /** True when this is not the first delivery (an earlier one failed or was not acknowledged). */
  public boolean isRedelivery() {
    return deliveryCount > 1;
  }
}
