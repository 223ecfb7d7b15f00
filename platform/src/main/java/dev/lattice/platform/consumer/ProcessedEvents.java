package dev.lattice.platform.consumer;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.Transactions;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The inbox transaction of one consumer: records the event in {@code processed_events} and runs the
 * handler in the same transaction, or skips the handler when the event was processed before (a
 * redelivery or a replay). Thread-safe; holds no state of its own.
 */
final class ProcessedEvents {

  static final Table<?> PROCESSED_EVENTS = DSL.table(DSL.name("processed_events"));
  static final Field<String> CONSUMER = DSL.field(DSL.name("consumer"), SQLDataType.CLOB);
  static final Field<UUID> EVENT_ID = DSL.field(DSL.name("event_id"), SQLDataType.UUID);
  static final Field<String> SUBJECT = DSL.field(DSL.name("subject"), SQLDataType.CLOB);

  /** The inbox row; no row when the consumer processed the event before. */
  private static final RenderedStatement INSERT =
      RenderedStatement.of(
          DSL.insertInto(PROCESSED_EVENTS, CONSUMER, EVENT_ID, SUBJECT)
              .values(
                  DSL.param("consumer", CONSUMER),
                  DSL.param("event_id", EVENT_ID),
                  DSL.param("subject", SUBJECT))
              .onConflictDoNothing(),
          "consumer",
          "event_id",
          "subject");

  /**
   * The inbox rows of a batch, one statement for all: answers the ids inserted (an id the consumer
   * processed before, or met earlier in the same arrays, is not).
   */
  private static final RenderedStatement INSERT_BATCH =
      RenderedStatement.of(
          DSL.insertInto(PROCESSED_EVENTS, CONSUMER, EVENT_ID, SUBJECT)
              .select(
                  DSL.select(
                          DSL.param("consumer", CONSUMER),
                          DSL.field(DSL.name("u", "event_id"), SQLDataType.UUID),
                          DSL.field(DSL.name("u", "subject"), SQLDataType.CLOB))
                      .from(
                          DSL.table(
                              "unnest({0}, {1}) as u(event_id, subject)",
                              DSL.param("event_ids", SQLDataType.UUID.array()),
                              DSL.param("subjects", SQLDataType.CLOB.array()))))
              .onConflictDoNothing()
              .returning(EVENT_ID),
          "consumer",
          "event_ids",
          "subjects");

  /** Attempts of the inbox transaction on serialization failures and deadlocks. */
  private static final int TRANSACTION_ATTEMPTS = 3;

  private final ConsumerSpec spec;
  private final DSLContext dsl;

  ProcessedEvents(ConsumerSpec spec, DSLContext dsl) {
    this.spec = spec;
    this.dsl = dsl;
  }

  /** What the inbox transaction did. */
  enum Outcome {
    HANDLED("handled"),
    DUPLICATE("duplicate");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /**
   * Runs the inbox transaction for {@code item} alone and commits it.
   *
   * @throws RuntimeException the failure, a handler's own exception already unwrapped by {@link
   *     #failureOf}
   */
  Outcome process(Item<?> item) {
    return Transactions.inTransaction(
        dsl,
        TRANSACTION_ATTEMPTS,
        tx -> {
          TransactionBatch batch = new TransactionBatch(tx, List.of(item.envelope()));
          Outcome outcome = inboxAndHandler(tx, batch, item);
          beforeCommit(batch, item.span());
          return outcome;
        });
  }

  /**
   * One message for the inbox transaction, its own ({@link #process}) or its batch's ({@link
   * #processBatch}).
   *
   * @param span the message's consumer span, made current while its handler runs
   */
  record Item<T extends Message>(
      HandlerRegistry.Registration<T> registration,
      T payload,
      io.nats.client.Message message,
      JetStreamDelivery delivery,
      Envelope envelope,
      Span span) {}

  /**
   * Runs the inbox work of every item in one transaction, in their order, each with its span
   * current, and commits once: one commit, and one flush of PostgreSQL's log, for the whole batch.
   * Nothing is retried here: any failure rolls back every item and propagates, and the caller runs
   * each item on its own ({@link #process}), which classifies the failure while the others commit.
   *
   * @return each item's outcome, in order
   */
  List<Outcome> processBatch(List<Item<?>> items) {
    return Transactions.inTransaction(
        dsl,
        1,
        tx -> {
          List<Envelope> envelopes = new ArrayList<>(items.size());
          for (Item<?> item : items) {
            envelopes.add(item.envelope());
          }
          TransactionBatch batch = new TransactionBatch(tx, envelopes);
          Set<UUID> inserted = insertInbox(tx, items);
          List<Outcome> outcomes = new ArrayList<>(items.size());
          for (Item<?> item : items) {
            // An id twice in the batch: its first item is the one handled.
            if (!inserted.remove(UUID.fromString(item.envelope().getEventId()))) {
              outcomes.add(Outcome.DUPLICATE);
              continue;
            }
            try (Scope ignored = item.span().makeCurrent()) {
              outcomes.add(handle(tx, batch, item));
            }
          }
          beforeCommit(batch, items.getLast().span());
          return outcomes;
        });
  }

  /**
   * Runs the batch's {@link TransactionBatch#beforeCommit} actions with {@code span} current; their
   * failure is the handlers' ({@link HandlerFailure}).
   */
  private static void beforeCommit(TransactionBatch batch, Span span) {
    try (Scope ignored = span.makeCurrent()) {
      batch.runBeforeCommit();
    } catch (Exception | StackOverflowError | LinkageError | AssertionError e) {
      throw new HandlerFailure(e);
    }
  }

  /**
   * The inbox rows of every item, in one statement; answers the ids that were new there. The rows
   * go in ascending id order: two batches holding the same events (a redelivery to another replica
   * while the first still works) then wait for each other instead of deadlocking on the key.
   */
  private Set<UUID> insertInbox(DSLContext tx, List<Item<?>> items) {
    List<Item<?>> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparing(item -> UUID.fromString(item.envelope().getEventId())));
    UUID[] ids = new UUID[sorted.size()];
    String[] subjects = new String[sorted.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = UUID.fromString(sorted.get(i).envelope().getEventId());
      subjects[i] = sorted.get(i).message().getSubject();
    }
    return new HashSet<>(
        INSERT_BATCH.fetch(
            tx, rs -> rs.getObject(1, UUID.class), spec.durableName(), ids, subjects));
  }

  /**
   * Records the event in the inbox and, if it is new there, runs its handler; inside {@code tx}.
   */
  private <T extends Message> Outcome inboxAndHandler(
      DSLContext tx, TransactionBatch batch, Item<T> item) {
    UUID eventId = UUID.fromString(item.envelope().getEventId());
    int inserted = INSERT.execute(tx, spec.durableName(), eventId, item.message().getSubject());
    if (inserted == 0) {
      return Outcome.DUPLICATE;
    }
    return handle(tx, batch, item);
  }

  /** Runs the handler of an event the inbox has just recorded; inside {@code tx}. */
  private <T extends Message> Outcome handle(DSLContext tx, TransactionBatch batch, Item<T> item) {
    Envelope envelope = item.envelope();
    io.nats.client.Message message = item.message();
    JetStreamDelivery delivery = item.delivery();
    EventContext context =
        new EventContext(
            spec.durableName(),
            envelope,
            tx,
            delivery.count(),
            message.getSubject(),
            delivery.streamSequence(),
            replayCount(message),
            batch);
    batch.enterTenantOf(envelope);
    try {
      item.registration().handler().handle(context, item.payload());
    } catch (Exception | StackOverflowError | LinkageError | AssertionError e) {
      // Bugs in the handler, not in this JVM: classified like any other failure.
      throw new HandlerFailure(e);
    }
    return Outcome.HANDLED;
  }

  /** The failure to classify: a handler's own exception, else {@code e} itself. */
  static Throwable failureOf(RuntimeException e) {
    return e instanceof HandlerFailure ? e.getCause() : e;
  }

  /** The {@value DeadLetterHeaders#REPLAY_COUNT} header of a replayed event; 0 when absent. */
  static int replayCount(io.nats.client.Message message) {
    if (!message.hasHeaders()) {
      return 0;
    }
    String value = message.getHeaders().getFirst(DeadLetterHeaders.REPLAY_COUNT);
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Carries a handler's exception through the transaction, apart from infrastructure failures. */
  private static final class HandlerFailure extends RuntimeException {
    HandlerFailure(Throwable cause) {
      super(cause);
    }
  }
}
