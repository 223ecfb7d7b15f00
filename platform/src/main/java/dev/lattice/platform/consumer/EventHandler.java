package dev.lattice.platform.consumer;

import com.google.protobuf.Message;

/**
 * Handles one event type: the payload message {@code T} of an {@link
 * dev.lattice.events.v1.Envelope}. Registered on an {@link EventConsumer.Builder} by payload type.
 *
 * <p>The handler's effect must be made through {@link EventContext#tx()} only: it commits
 * atomically with the consumer's inbox row, which is what makes a redelivered event a no-op. The
 * handler may run more than once for one delivery (the transaction is retried on serialization
 * failures and deadlocks) and again on a redelivery after a failure, so it must have no effect
 * outside that transaction (publish events through the outbox, in the same transaction).
 *
 * <p>Failures: throw {@link TransientEventException} (or let a transient database or network error
 * propagate) to have the event redelivered after a backoff; throw {@link PermanentEventException},
 * or any exception not recognised as transient, to dead-letter it at once. Handlers are called from
 * one consumer thread at a time per {@link EventConsumer}, but one handler instance may be shared
 * by several consumers: make it thread-safe or stateless.
 *
 * @param <T> the payload message type
 */
@FunctionalInterface
public interface EventHandler<T extends Message> {

  /**
   * Applies the event.
   *
   * @param context the envelope, the inbox transaction and delivery facts; valid during the call
   * @param payload the unpacked {@code Envelope.payload}
   * @throws Exception to roll the transaction back; classified as described on this interface
   */
  void handle(EventContext context, T payload) throws Exception;
}
