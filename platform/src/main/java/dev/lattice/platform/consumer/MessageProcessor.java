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
import java.util.Optional;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one delivered message from start to acknowledgement, as {@link EventConsumer} documents:
 * the span, parsing the envelope, finding the handler, then the {@link ProcessedEvents}
 * transaction; what a failure becomes is the {@link FailurePolicy}'s. Used by one consumer thread;
 * its collaborators are thread-safe.
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
    this.failures = new FailurePolicy(spec, deadLetters, listener, metrics);
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
   *     FailureClassifier#isDatabaseUnreachable}); the consumer then waits for the database before
   *     it pulls more, so that an outage does not use up the deliveries of every event
   */
  boolean process(io.nats.client.Message message) {
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

  private boolean handle(io.nats.client.Message message, JetStreamDelivery delivery, Span span) {
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
      JetStreamDelivery delivery,
      Envelope envelope,
      Span span) {
    T payload;
    try {
      payload = registration.unpack(envelope.getPayload());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(message, delivery, envelope, DeadLetterCause.PARSE_ERROR, describe(e), span);
      return false;
    }
    long start = System.nanoTime();
    ProcessedEvents.Outcome outcome;
    try {
      outcome = inbox.process(registration, payload, message, delivery, envelope);
    } catch (RuntimeException e) {
      Throwable failure = ProcessedEvents.failureOf(e);
      failures.failed(message, delivery, envelope, failure, System.nanoTime() - start, span);
      return FailureClassifier.isDatabaseUnreachable(failure);
    }
    metrics.handlerDuration(System.nanoTime() - start, outcome.label);
    span.setAttribute("lattice.outcome", outcome.label);
    notifyListener(outcome, envelope);
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

  private void deadLetter(
      io.nats.client.Message message,
      JetStreamDelivery delivery,
      Envelope envelope,
      DeadLetterCause cause,
      String error,
      Span span) {
    failures.deadLetter(message, delivery, envelope, cause, error, span);
  }

  private static String describe(Throwable failure) {
    return FailurePolicy.describe(failure);
  }
}
