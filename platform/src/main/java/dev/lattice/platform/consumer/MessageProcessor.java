package dev.lattice.platform.consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.Transactions;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one delivered message from start to acknowledgement, as {@link EventConsumer} documents.
 * Used by one consumer thread; its collaborators are thread-safe.
 */
final class MessageProcessor {

  static final Table<?> PROCESSED_EVENTS = DSL.table(DSL.name("processed_events"));
  static final Field<String> CONSUMER = DSL.field(DSL.name("consumer"), SQLDataType.CLOB);
  static final Field<UUID> EVENT_ID = DSL.field(DSL.name("event_id"), SQLDataType.UUID);
  static final Field<String> SUBJECT = DSL.field(DSL.name("subject"), SQLDataType.CLOB);

  private static final Logger log = LoggerFactory.getLogger(MessageProcessor.class);
  private static final Pattern CANONICAL_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Attempts of the inbox transaction on serialization failures and deadlocks. */
  private static final int TRANSACTION_ATTEMPTS = 3;

  private final ConsumerSpec spec;
  private final DSLContext dsl;
  private final HandlerRegistry handlers;
  private final boolean ignoreUnhandledTypes;
  private final DeadLetterSender deadLetters;
  private final ConsumerListener listener;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final ConsumerMetrics metrics;
  private final InProgressTicker ticker;

  MessageProcessor(
      ConsumerSpec spec,
      DSLContext dsl,
      HandlerRegistry handlers,
      boolean ignoreUnhandledTypes,
      DeadLetterSender deadLetters,
      ConsumerListener listener,
      Tracer tracer,
      TextMapPropagator propagator,
      ConsumerMetrics metrics,
      InProgressTicker ticker) {
    this.spec = spec;
    this.dsl = dsl;
    this.handlers = handlers;
    this.ignoreUnhandledTypes = ignoreUnhandledTypes;
    this.deadLetters = deadLetters;
    this.listener = listener;
    this.tracer = tracer;
    this.propagator = propagator;
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /**
   * Processes {@code message} and acknowledges, naks or terminates it; throws only errors.
   *
   * @return true when it failed because the consumer's database could not be reached (see {@link
   *     FailureClassifier#isDatabaseUnreachable}); the consumer then waits for the database
   *     before it pulls more, so that an outage does not use up the deliveries of every event
   */
  boolean process(io.nats.client.Message message) {
    Delivery delivery = Delivery.of(message);
    if (delivery.count() > 1) {
      metrics.redelivered();
    }
    Context parent =
        propagator.extract(Context.root(), message.getHeaders(), NatsHeadersGetter.INSTANCE);
    Span span =
        tracer
            .spanBuilder("process " + message.getSubject())
            .setParent(parent)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute("messaging.system", "nats")
            .setAttribute("messaging.operation.type", "process")
            .setAttribute("messaging.destination.name", message.getSubject())
            .setAttribute("messaging.consumer.group.name", spec.durableName())
            .setAttribute("lattice.delivery_count", delivery.count())
            .setAttribute("lattice.stream_sequence", delivery.streamSequence())
            .startSpan();
    InProgressTicker.Handle progress = ticker.start(message);
    try (Scope ignored = span.makeCurrent()) {
      return handle(message, delivery, span);
    } catch (RuntimeException e) {
      // A bug in this class or a listener: leave the message to be redelivered after ack wait.
      log.error("consumer {}: unexpected failure on {}", spec.durableName(), delivery, e);
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      return false;
    } finally {
      progress.stop();
      span.end();
    }
  }

  private boolean handle(io.nats.client.Message message, Delivery delivery, Span span) {
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(message.getData());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(message, delivery, null, DeadLetterCause.PARSE_ERROR, describe(e), span);
      return false;
    }
    if (!CANONICAL_UUID.matcher(envelope.getEventId()).matches()) {
      String error = "event_id is not a UUID: '" + envelope.getEventId() + "'";
      deadLetter(message, delivery, envelope, DeadLetterCause.PARSE_ERROR, error, span);
      return false;
    }
    span.setAttribute("messaging.message.id", envelope.getEventId());
    span.setAttribute("lattice.event.type", envelope.getType());
    Optional<HandlerRegistry.Registration<?>> registration =
        handlers.forPayload(envelope.getPayload());
    if (registration.isEmpty() && ignoreUnhandledTypes) {
      span.setAttribute("lattice.outcome", "ignored");
      Acks.ack(message, delivery);
      metrics.processed("ignored");
      log.debug(
          "consumer {}: ignored event {} ({}): no handler for its type",
          spec.durableName(),
          envelope.getEventId(),
          envelope.getType());
      return false;
    }
    if (registration.isEmpty()) {
      String error =
          "no handler for payload type '"
              + envelope.getPayload().getTypeUrl()
              + "'; handled: "
              + handlers.typeNames();
      deadLetter(message, delivery, envelope, DeadLetterCause.UNKNOWN_EVENT_TYPE, error, span);
      return false;
    }
    return dispatch(registration.get(), message, delivery, envelope, span);
  }

  private <T extends Message> boolean dispatch(
      HandlerRegistry.Registration<T> registration,
      io.nats.client.Message message,
      Delivery delivery,
      Envelope envelope,
      Span span) {
    T payload;
    try {
      payload = registration.unpack(envelope.getPayload());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(message, delivery, envelope, DeadLetterCause.PARSE_ERROR, describe(e), span);
      return false;
    }
    UUID eventId = UUID.fromString(envelope.getEventId());
    long start = System.nanoTime();
    Outcome outcome;
    try {
      outcome =
          Transactions.inTransaction(
              dsl,
              TRANSACTION_ATTEMPTS,
              tx -> {
                int inserted =
                    tx.insertInto(PROCESSED_EVENTS, CONSUMER, EVENT_ID, SUBJECT)
                        .values(spec.durableName(), eventId, message.getSubject())
                        .onConflictDoNothing()
                        .execute();
                if (inserted == 0) {
                  return Outcome.DUPLICATE;
                }
                EventContext context =
                    new EventContext(
                        spec.durableName(),
                        envelope,
                        tx,
                        delivery.count(),
                        message.getSubject(),
                        delivery.streamSequence(),
                        replayCount(message));
                try {
                  registration.handler().handle(context, payload);
                } catch (Exception | StackOverflowError | LinkageError | AssertionError e) {
                  // Bugs in the handler, not in this JVM: classified like any other failure.
                  throw new HandlerFailure(e);
                }
                return Outcome.HANDLED;
              });
    } catch (RuntimeException e) {
      Throwable failure = e instanceof HandlerFailure ? e.getCause() : e;
      failed(message, delivery, envelope, failure, System.nanoTime() - start, span);
      return FailureClassifier.isDatabaseUnreachable(failure);
    }
    metrics.handlerDuration(System.nanoTime() - start, outcome.label);
    span.setAttribute("lattice.outcome", outcome.label);
    try {
      if (outcome == Outcome.HANDLED) {
        listener.afterCommitBeforeAck(envelope);
      } else {
        listener.afterDuplicateBeforeAck(envelope);
      }
    } catch (RuntimeException e) {
      log.warn("consumer {}: listener failed; ignored", spec.durableName(), e);
    }
    Acks.ack(message, delivery);
    metrics.processed(outcome.label);
    log.debug(
        "consumer {}: {} event {} ({})",
        spec.durableName(),
        outcome.label,
        envelope.getEventId(),
        delivery);
    return false;
  }

  private void failed(
      io.nats.client.Message message,
      Delivery delivery,
      Envelope envelope,
      Throwable failure,
      long nanos,
      Span span) {
    FailureClassifier.Kind kind = FailureClassifier.classify(failure);
    String error = describe(failure);
    metrics.handlerDuration(
        nanos,
        kind == FailureClassifier.Kind.TRANSIENT ? "transient_failure" : "permanent_failure");
    span.recordException(failure);
    span.setStatus(StatusCode.ERROR, error);
    if (kind == FailureClassifier.Kind.PERMANENT) {
      deadLetter(message, delivery, envelope, DeadLetterCause.PERMANENT_FAILURE, error, span);
    } else if (delivery.count() >= spec.maxDeliver()) {
      deadLetter(message, delivery, envelope, DeadLetterCause.MAX_DELIVERIES_EXCEEDED, error, span);
    } else {
      Duration delay = spec.backoffAfter(delivery.count());
      log.info(
          "consumer {}: event {} failed transiently on delivery {} of {}, retrying in {}: {}",
          spec.durableName(),
          envelope.getEventId(),
          delivery.count(),
          spec.maxDeliver(),
          delay,
          error);
      Acks.nak(message, delivery, delay);
    }
  }

  private void deadLetter(
      io.nats.client.Message message,
      Delivery delivery,
      Envelope envelope,
      DeadLetterCause cause,
      String error,
      Span span) {
    span.setAttribute("lattice.dead_letter.reason", cause.name());
    if (deadLetters.send(message, delivery, envelope, cause, error)) {
      try {
        listener.afterDeadLetter(envelope, cause);
      } catch (RuntimeException e) {
        log.warn("consumer {}: listener failed; ignored", spec.durableName(), e);
      }
      Acks.term(message, delivery);
    } else {
      // Not stored: never drop the original. It comes back after the backoff (or, after its
      // last delivery, through the max-deliveries advisory).
      Acks.nak(message, delivery, spec.backoffAfter(delivery.count()));
    }
  }

  /** "SimpleClassName: message", and the root cause's when it differs; no stack trace. */
  static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder(failure.getClass().getSimpleName());
    if (failure.getMessage() != null) {
      text.append(": ").append(failure.getMessage());
    }
    Throwable root = failure;
    for (int depth = 0; root.getCause() != null && depth < 32; depth++) {
      root = root.getCause();
    }
    if (root != failure
        && root.getMessage() != null
        && (failure.getMessage() == null || !failure.getMessage().contains(root.getMessage()))) {
      text.append(" (caused by ")
          .append(root.getClass().getSimpleName())
          .append(": ")
          .append(root.getMessage())
          .append(')');
    }
    return text.toString();
  }

  private enum Outcome {
    HANDLED("handled"),
    DUPLICATE("duplicate");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** Carries a handler's exception through the transaction, apart from infrastructure failures. */
  private static final class HandlerFailure extends RuntimeException {
    HandlerFailure(Throwable cause) {
      super(cause);
    }
  }

  /** The JetStream facts of one delivery. */
  record Delivery(String stream, long streamSequence, long count, String subject) {

    static Delivery of(io.nats.client.Message message) {
      NatsJetStreamMetaData meta = message.metaData();
      return new Delivery(
          meta.getStream(), meta.streamSequence(), meta.deliveredCount(), message.getSubject());
    }

    @Override
    public String toString() {
      return stream + "#" + streamSequence + " on " + subject + ", delivery " + count;
    }
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
}
