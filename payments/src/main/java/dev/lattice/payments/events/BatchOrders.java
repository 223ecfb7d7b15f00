package dev.lattice.payments.events;

import com.google.protobuf.Message;
import dev.lattice.payments.saga.OrderLocks;
import dev.lattice.platform.consumer.EventContext;
import java.util.function.Function;

/**
 * Takes the saga's locks of every order of a consumer's transaction ({@link OrderLocks}) once, at
 * its first event: what a batched consumer's handler calls before its own work. Stateless.
 */
final class BatchOrders {

  private BatchOrders() {}

  /**
   * Locks the orders of the transaction's events of {@code type}, named by {@code orderId}, unless
   * an earlier event of the transaction did. A malformed event is left out: its own handler fails,
   * and the consumer then handles each event on its own.
   */
  static <T extends Message> void lock(
      EventContext context, Class<T> type, Function<T, String> orderId) {
    context
        .batch()
        .lockOnce(type, orderId, orders -> OrderLocks.lockAll(context.tx(), orders.ids()));
  }
}
