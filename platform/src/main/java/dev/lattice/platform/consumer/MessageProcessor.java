package dev.lattice.platform.consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the messages of one pull from start to acknowledgement, as {@link EventConsumer}
 * documents: each message's span, parsing its envelope, finding its handler, then the {@link
 * ProcessedEvents} transaction, one for the whole batch while nothing fails; what a failure becomes
 * is the {@link FailurePolicy}'s. Used by one consumer thread; its collaborators are thread-safe.
 */
final class MessageProcessor {

  private static final Logger log = LoggerFactory.getLogger(MessageProcessor.class);
  private static final Pattern CANONICAL_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final ConsumerSpec spec;
  private final ProcessedEvents inbox;
  private final HandlerRegistry handlers;
  private final boolean ignoreUnhandledTypes;
  private final boolean batchTransactions;
  private final FailurePolicy failures;
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
      boolean batchTransactions,
      DeadLetterSender deadLetters,
      ConsumerListener listener,
      Tracer tracer,
      TextMapPropagator propagator,
      ConsumerMetrics metrics,
      InProgressTicker ticker) {
    this.spec = spec;
    this.inbox = new ProcessedEvents(spec, dsl);
    this.handlers = handlers;
    this.ignoreUnhandledTypes = ignoreUnhandledTypes;
    this.batchTransactions = batchTransactions;
    this.failures = new FailurePolicy(spec, deadLetters, listener, metrics);
    this.listener = listener;
    this.tracer = tracer;
    this.propagator = propagator;
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /** Whether the messages of one pull share one inbox transaction. */
  boolean batchTransactions() {
    return batchTransactions;
  }

  /**
   * Processes {@code message} and acknowledges, naks or terminates it; throws only errors.
   *
   * @return true when it failed because the consumer's database could not be reached (see {@link
   *     FailureClassifier#isDatabaseUnreachable}); the consumer then waits for the database before
   *     it pulls more, so that an outage does not use up the deliveries of every event
   */
  boolean process(io.nats.client.Message message) {
    return process(List.of(message));
  }

  /**
   * Processes {@code messages}, the messages one pull brought, in their order, and acknowledges,
   * naks or terminates each; throws only errors. With batch transactions, those that parse and have
   * a handler run in one inbox transaction ({@link ProcessedEvents#processBatch}): one commit for
   * all of them; otherwise each in its own. If that transaction fails, nothing of it is kept and
   * each runs again in a transaction of its own, so a failure is classified for the one message
   * that caused it while the others commit.
   *
   * @return true when one failed because the consumer's database could not be reached: the messages
   *     after it are left unacknowledged, redelivered after the ack wait; see {@link
   *     #process(io.nats.client.Message)}
   */
  boolean process(List<io.nats.client.Message> messages) {
    List<Delivered> delivered = new ArrayList<>(messages.size());
    try {
      List<Prepared> ready = new ArrayList<>(messages.size());
      for (io.nats.client.Message message : messages) {
        Delivered d = start(message, messages.size());
        delivered.add(d);
        try (Scope ignored = d.span.makeCurrent()) {
          Prepared prepared = prepare(d);
          if (prepared != null) {
            ready.add(prepared);
          }
        } catch (RuntimeException e) {
          unexpected(d, e);
        }
      }
      if (batchTransactions && ready.size() > 1 && runTogether(ready)) {
        return false;
      }
      for (Prepared prepared : ready) {
        try (Scope ignored = prepared.delivered.span.makeCurrent()) {
          if (runAlone(prepared)) {
            return true;
          }
        } catch (RuntimeException e) {
          unexpected(prepared.delivered, e);
        }
      }
      return false;
    } finally {
      for (Delivered d : delivered) {
        d.progress.stop();
        d.span.end();
      }
    }
  }

  /** A message taken in hand: its delivery, its consumer span, its in-progress ticks. */
  private record Delivered(
      io.nats.client.Message message,
      JetStreamDelivery delivery,
      Span span,
      InProgressTicker.Handle progress) {}

  /** A message that parsed and has a handler: what its inbox transaction needs. */
  private record Prepared(Delivered delivered, ProcessedEvents.Item<?> item) {}

  private Delivered start(io.nats.client.Message message, int batchSize) {
    JetStreamDelivery delivery = JetStreamDelivery.of(message);
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
            .setAttribute("messaging.batch.message_count", batchSize)
            .setAttribute("lattice.delivery_count", delivery.count())
            .setAttribute("lattice.stream_sequence", delivery.streamSequence())
            .startSpan();
    return new Delivered(message, delivery, span, ticker.start(message));
  }

  /** A bug in this class or a listener: the message is left to be redelivered after ack wait. */
  private void unexpected(Delivered d, RuntimeException e) {
    log.error("consumer {}: unexpected failure on {}", spec.durableName(), d.delivery, e);
    d.span.recordException(e);
    d.span.setStatus(StatusCode.ERROR);
  }

  /**
   * Parses the envelope and finds the handler; a message that cannot be handled is dead-lettered
   * (or acknowledged, for an ignored type) here.
   *
   * @return null when the message is settled already
   */
  private Prepared prepare(Delivered d) {
    io.nats.client.Message message = d.message;
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(message.getData());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(d, null, DeadLetterCause.PARSE_ERROR, describe(e));
      return null;
    }
    if (!CANONICAL_UUID.matcher(envelope.getEventId()).matches()) {
      String error = "event_id is not a UUID: '" + envelope.getEventId() + "'";
      deadLetter(d, envelope, DeadLetterCause.PARSE_ERROR, error);
      return null;
    }
    d.span.setAttribute("messaging.message.id", envelope.getEventId());
    d.span.setAttribute("lattice.event.type", envelope.getType());
    Optional<HandlerRegistry.Registration<?>> registration =
        handlers.forPayload(envelope.getPayload());
    if (registration.isEmpty() && ignoreUnhandledTypes) {
      d.span.setAttribute("lattice.outcome", "ignored");
      Acks.ack(message, d.delivery);
      metrics.processed("ignored");
      log.debug(
          "consumer {}: ignored event {} ({}): no handler for its type",
          spec.durableName(),
          envelope.getEventId(),
          envelope.getType());
      return null;
    }
    if (registration.isEmpty()) {
      String error =
          "no handler for payload type '"
              + envelope.getPayload().getTypeUrl()
              + "'; handled: "
              + handlers.typeNames();
      deadLetter(d, envelope, DeadLetterCause.UNKNOWN_EVENT_TYPE, error);
      return null;
    }
    return unpack(d, envelope, registration.get());
  }

  private <T extends Message> Prepared unpack(
      Delivered d, Envelope envelope, HandlerRegistry.Registration<T> registration) {
    try {
      T payload = registration.unpack(envelope.getPayload());
      return new Prepared(
          d,
          new ProcessedEvents.Item<>(
              registration, payload, d.message, d.delivery, envelope, d.span));
    } catch (InvalidProtocolBufferException e) {
      deadLetter(d, envelope, DeadLetterCause.PARSE_ERROR, describe(e));
      return null;
    }
  }

  /**
   * Runs {@code batch} in one inbox transaction and settles each message.
   *
   * @return false if the transaction failed and rolled back: the caller runs each on its own
   */
  private boolean runTogether(List<Prepared> batch) {
    long start = System.nanoTime();
    List<ProcessedEvents.Item<?>> items = new ArrayList<>(batch.size());
    for (Prepared prepared : batch) {
      items.add(prepared.item);
    }
    List<ProcessedEvents.Outcome> outcomes;
    try {
      outcomes = inbox.processBatch(items);
    } catch (RuntimeException e) {
      log.debug(
          "consumer {}: a batch of {} failed ({}); handling each on its own",
          spec.durableName(),
          batch.size(),
          ProcessedEvents.failureOf(e).toString());
      return false;
    }
    long elapsed = System.nanoTime() - start;
    for (int i = 0; i < batch.size(); i++) {
      Prepared prepared = batch.get(i);
      try (Scope ignored = prepared.delivered.span.makeCurrent()) {
        settle(prepared, outcomes.get(i), elapsed);
      } catch (RuntimeException e) {
        unexpected(prepared.delivered, e);
      }
    }
    return true;
  }

  /** Runs one message in its own inbox transaction; true if the database could not be reached. */
  private boolean runAlone(Prepared prepared) {
    Delivered d = prepared.delivered;
    long start = System.nanoTime();
    ProcessedEvents.Outcome outcome;
    try {
      outcome = inbox.process(prepared.item);
    } catch (RuntimeException e) {
      Throwable failure = ProcessedEvents.failureOf(e);
      failures.failed(
          d.message,
          d.delivery,
          prepared.item.envelope(),
          failure,
          System.nanoTime() - start,
          d.span);
      return FailureClassifier.isDatabaseUnreachable(failure);
    }
    settle(prepared, outcome, System.nanoTime() - start);
    return false;
  }

  /** After the commit: metrics, the listener, the acknowledgement. */
  private void settle(Prepared prepared, ProcessedEvents.Outcome outcome, long nanos) {
    Delivered d = prepared.delivered;
    metrics.handlerDuration(nanos, outcome.label);
    d.span.setAttribute("lattice.outcome", outcome.label);
    notifyListener(outcome, prepared.item.envelope());
    Acks.ack(d.message, d.delivery);
    metrics.processed(outcome.label);
    log.debug(
        "consumer {}: {} event {} ({})",
        spec.durableName(),
        outcome.label,
        prepared.item.envelope().getEventId(),
        d.delivery);
  }

  private void notifyListener(ProcessedEvents.Outcome outcome, Envelope envelope) {
    try {
      if (outcome == ProcessedEvents.Outcome.HANDLED) {
        listener.afterCommitBeforeAck(envelope);
      } else {
        listener.afterDuplicateBeforeAck(envelope);
      }
    } catch (RuntimeException e) {
      log.warn("consumer {}: listener failed; ignored", spec.durableName(), e);
    }
  }

  private void deadLetter(Delivered d, Envelope envelope, DeadLetterCause cause, String error) {
    failures.deadLetter(d.message, d.delivery, envelope, cause, error, d.span);
  }

  private static String describe(Throwable failure) {
    return FailurePolicy.describe(failure);
  }
}
