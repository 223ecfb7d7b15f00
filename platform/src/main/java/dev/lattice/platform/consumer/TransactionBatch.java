package dev.lattice.platform.consumer;

import dev.lattice.events.v1.Envelope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The events one inbox transaction handles, in delivery order, and what their handlers keep for as
 * long as that transaction lasts. A consumer built with {@link
 * EventConsumer.Builder#batchTransactions(int)} handles the messages of one pull in one
 * transaction; any other, one message per transaction (a batch of one).
 *
 * <p>A handler that takes locks in a shared transaction takes those of the whole batch first, in
 * one global order, before any of the batch's writes ({@link #envelopes()} tells it what is
 * coming): two batches that each took them in event order could deadlock. {@link #shared} keeps
 * what it has taken, so that it takes it once per transaction. A retried transaction gets a new
 * batch. Used by one consumer thread.
 */
public final class TransactionBatch {

  private final List<Envelope> envelopes;
  private final Map<Object, Object> shared = new HashMap<>();

  TransactionBatch(List<Envelope> envelopes) {
    this.envelopes = List.copyOf(envelopes);
  }

  /** The envelopes of every event this transaction handles, in delivery order. */
  public List<Envelope> envelopes() {
    return envelopes;
  }

  /**
   * The value kept under {@code key} in this transaction, created by {@code create} the first time
   * (for the first event of the batch that asks).
   */
  @SuppressWarnings("unchecked")
  public <T> T shared(Object key, Supplier<? extends T> create) {
    Objects.requireNonNull(key, "key");
    Object value = shared.get(key);
    if (value == null) {
      value = Objects.requireNonNull(create.get(), "created value");
      shared.put(key, value);
    }
    return (T) value;
  }
}
