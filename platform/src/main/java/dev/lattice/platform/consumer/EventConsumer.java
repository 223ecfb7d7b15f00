package dev.lattice.platform.consumer;

import com.google.protobuf.Any;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one durable JetStream pull consumer: at-least-once delivery turned into exactly-once effects
 * by an inbox table (docs/architecture.md §6, decision 0004).
 *
 * <p><b>Set-up.</b> {@link #start()} creates or updates the durable consumer idempotently (explicit
 * ack, {@code ack_wait}, {@code max_deliver}, deliver-all, the filter subjects) and then pulls in a
 * loop on a platform thread of its own (see {@link PullLoop}): no-wait pulls that expire after
 * {@link ConsumerSpec#fetchExpires()} with an idle heartbeat, each waiting for a first message and
 * then bringing what is pending at that moment, up to {@link ConsumerSpec#batchSize()}: the batch.
 * Any failure (NATS down or restarted, the stream not created yet, the consumer deleted) is logged
 * and retried with a growing pause of up to 5 s, re-creating the consumer; nothing has to restart
 * the consumer.
 *
 * <p><b>Per message</b>, in delivery order, a batch at a time:
 *
 * <ol>
 *   <li>The span {@code process <subject>} (kind CONSUMER) continues the producer's trace from the
 *       {@code traceparent} header and is current while the handler runs.
 *   <li>Data that is not an {@code Envelope}, an event_id that is not a UUID, or a payload that
 *       does not parse: dead-lettered at once ({@link DeadLetterCause#PARSE_ERROR}). A payload type
 *       with no registered handler goes to the {@linkplain Builder#handleAll catch-all handler} if
 *       there is one; otherwise it is dead-lettered at once ({@link
 *       DeadLetterCause#UNKNOWN_EVENT_TYPE}), since consumers filter their subjects and an unknown
 *       type is a real mismatch.
 *   <li>One transaction: {@code insert into processed_events (consumer, event_id, subject) on
 *       conflict do nothing}; no row inserted means the event was processed before (a redelivery or
 *       a replay), so the handler is skipped; otherwise the handler runs with the transaction.
 *       Commit, then acknowledge. In-progress acks go out every {@link
 *       ConsumerSpec#inProgressInterval()} while this takes. With {@link
 *       Builder#batchTransactions(int)} the messages of one batch share the transaction, each after
 *       the other, and one commit (one flush of PostgreSQL's log, and for audit one hold of a
 *       chain's lock, per batch rather than per event); if it fails, it rolls back and each message
 *       runs again in a transaction of its own, so the failure below is decided for the message
 *       that caused it while the others commit.
 *   <li>On failure: a {@link TransientEventException}, a transient SQLSTATE (class 08, 40001,
 *       40P01, 55P03, 57014, 57P0x, 53xxx), a connection or timeout failure, an exhausted
 *       transaction retry or a gRPC UNAVAILABLE/DEADLINE_EXCEEDED/RESOURCE_EXHAUSTED/ABORTED
 *       anywhere in the cause chain is transient; a {@link PermanentEventException} anywhere, and
 *       anything else, is permanent. Transient and not the last delivery: nak with the {@link
 *       ConsumerSpec#backoffAfter(long) backoff} delay; transient on the last delivery: dead-letter
 *       ({@link DeadLetterCause#MAX_DELIVERIES_EXCEEDED}); permanent: dead-letter ({@link
 *       DeadLetterCause#PERMANENT_FAILURE}) without retrying. A dead letter is stored (publish
 *       acknowledged) before the original is terminated; if it cannot be stored the original is
 *       naked instead. A last delivery that is never answered (the process died) is dead-lettered
 *       from the server's max-deliveries advisory, unless the inbox shows it done.
 * </ol>
 *
 * <p><b>Database outages.</b> A message that fails because the service's own database cannot be
 * reached at all (no connection: SQLSTATE class 08, a server shutting down or starting, a pool
 * checkout that timed out) is naked as above, and then the consumer pulls nothing more until the
 * database answers again, checking every second: an outage is no event's fault, and pulling on
 * would use up the deliveries of every pending event and dead-letter them all.
 *
 * <p>Messages of one consumer instance are handled sequentially. Several instances (replicas) may
 * share a durable consumer; they then handle different messages concurrently, and the inbox still
 * guarantees one effect per event.
 *
 * <p><b>Metrics</b> (meter {@code dev.lattice.platform.consumer}), all with attribute {@code
 * messaging.consumer.group.name} = the durable name: {@code lattice.consumer.processed} (counter,
 * attribute {@code lattice.outcome} = {@code handled} or {@code duplicate}), {@code
 * lattice.consumer.redeliveries} (counter of deliveries after the first), {@code
 * lattice.consumer.dead_letters} (counter, attribute {@code lattice.reason}) and {@code
 * lattice.consumer.handler.duration} (histogram in seconds of the inbox transaction, attribute
 * {@code lattice.outcome} also {@code transient_failure} or {@code permanent_failure}).
 *
 * <p><b>Where the parts are.</b> {@code PullLoop} creates the durable consumer ({@code
 * DurableConsumers}) and pulls; {@code MessageProcessor} handles one pull's messages, with the
 * {@code ProcessedEvents} transaction and the {@code FailurePolicy} (nak or dead letter); {@code
 * ConsumerMetrics} and {@link ConsumerListener} observe it; {@code MaxDeliveriesWatcher} follows
 * the advisories.
 *
 * <p><b>Pausing.</b> {@link #pause()} closes the consumer's pull (after the message in hand, which
 * finishes as usual) and opens none until {@link #resume()}, so JetStream keeps its backlog on the
 * stream: nats-server 2.11's consumer pause, done here for 2.10. It lives in this object only.
 *
 * <p><b>Shutdown.</b> {@link #close()} stops pulling, lets the message being handled finish (up to
 * the close timeout) and returns. Messages fetched but not started are redelivered after the ack
 * wait. Thread-safe.
 *
 * <p>Longer than 300 lines on purpose: this comment is the consumer's whole contract and the
 * builder is the API every service builds its consumers with; the work is in the classes above.
 */
public final class EventConsumer implements AutoCloseable {

  /** How long {@link #close()} waits for the message in hand by default. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final String INSTRUMENTATION_SCOPE = "dev.lattice.platform.consumer";
  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);

  private final ConsumerSpec spec;
  private final PullLoop pulls;
  private final MaxDeliveriesWatcher watcher;
  private final InProgressTicker ticker;
  private final Duration closeTimeout;

  private EventConsumer(Builder builder) {
    this.spec = builder.spec;
    this.closeTimeout = builder.closeTimeout;
    ConsumerMetrics metrics =
        new ConsumerMetrics(builder.telemetry.meter(INSTRUMENTATION_SCOPE), spec.durableName());
    DeadLetterSender sender = new DeadLetterSender(spec, builder.deadLetters, metrics);
    this.ticker = new InProgressTicker(spec.durableName(), spec.inProgressInterval());
    MessageProcessor processor =
        new MessageProcessor(
            spec,
            builder.dsl,
            new HandlerRegistry(builder.handlers, builder.fallback),
            builder.ignoreUnhandledTypes,
            builder.batchTransactions,
            sender,
            builder.listener,
            builder.telemetry.tracer(INSTRUMENTATION_SCOPE),
            builder.telemetry.propagator(),
            metrics,
            ticker);
    this.pulls = new PullLoop(spec, builder.nats, builder.dsl, processor);
    this.watcher = new MaxDeliveriesWatcher(builder.nats, spec, builder.dsl, sender);
  }

  /**
   * A builder.
   *
   * @param spec the durable consumer
   * @param nats the connection to pull on (shared; not closed by the consumer)
   * @param dsl the service database, migrated with the platform migrations ({@code
   *     processed_events})
   * @param deadLetters where messages that are given up go
   * @param telemetry traces and metrics
   */
  public static Builder builder(
      ConsumerSpec spec,
      Connection nats,
      DSLContext dsl,
      DeadLetters deadLetters,
      Telemetry telemetry) {
    return new Builder(spec, nats, dsl, deadLetters, telemetry);
  }

  /** The consumer's configuration. */
  public ConsumerSpec spec() {
    return spec;
  }

  /**
   * Starts consuming in the background and returns at once; the durable consumer is created by the
   * background loop, which retries until NATS and the stream are there.
   *
   * @throws IllegalStateException if started before or closed
   */
  public EventConsumer start() {
    pulls.start();
    watcher.start();
    return this;
  }

  /**
   * Waits until the durable consumer exists on the server and pulling has begun.
   *
   * @return true if so within {@code timeout}
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return pulls.awaitReady(timeout);
  }

  /**
   * Takes no new message until {@link #resume()}; returns at once (see {@link
   * #awaitPaused(Duration)}). Idempotent.
   *
   * @return true if it was running, false if it was paused already
   */
  public boolean pause() {
    boolean changed = pulls.pause();
    if (changed) {
      log.info(
          "consumer {}: paused; JetStream keeps its events until it resumes", spec.durableName());
    }
    return changed;
  }

  /**
   * Pulls again at once after {@link #pause()}. Idempotent.
   *
   * @return true if it was paused, false if it was running already
   */
  public boolean resume() {
    boolean changed = pulls.resume();
    if (changed) {
      log.info("consumer {}: resumed", spec.durableName());
    }
    return changed;
  }

  /**
   * After {@link #pause()}: waits until the consumer has no pull open and handles no message, that
   * is until its state is {@link ConsumerState#PAUSED}.
   *
   * @return true if so within {@code timeout} (or it was resumed or closed meanwhile)
   */
  public boolean awaitPaused(Duration timeout) throws InterruptedException {
    return pulls.awaitPaused(timeout);
  }

  /**
   * The consumer's name, subjects and state as this process runs it; the JetStream counts are not
   * asked for (see {@link ServiceConsumers}).
   */
  public ConsumerStatus status() {
    PullControl.Snapshot state = pulls.state();
    return ConsumerStatus.of(spec, state.state(), state.since());
  }

  /**
   * Stops pulling, waits for the message being handled (up to the close timeout), then releases the
   * consumer's threads. The durable consumer stays on the server. Idempotent.
   */
  @Override
  public void close() {
    if (!pulls.requestStop()) {
      return;
    }
    try {
      pulls.awaitStopped(closeTimeout);
    } finally {
      watcher.close();
      ticker.close();
    }
  }

  /** Builds an {@link EventConsumer}; not thread-safe. */
  public static final class Builder {

    private ConsumerSpec spec;
    private final Connection nats;
    private final DSLContext dsl;
    private final DeadLetters deadLetters;
    private final Telemetry telemetry;
    private final Map<String, HandlerRegistry.Registration<?>> handlers = new HashMap<>();
    private ConsumerListener listener = ConsumerListener.NONE;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private boolean ignoreUnhandledTypes;
    private boolean batchTransactions;
    private HandlerRegistry.Registration<Any> fallback;

    private Builder(
        ConsumerSpec spec,
        Connection nats,
        DSLContext dsl,
        DeadLetters deadLetters,
        Telemetry telemetry) {
      this.spec = Objects.requireNonNull(spec, "spec");
      this.nats = Objects.requireNonNull(nats, "nats");
      this.dsl = Objects.requireNonNull(dsl, "dsl");
      this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    /**
     * Registers the handler of events whose payload is a {@code payloadType} (matched by the
     * message's full name in {@code Envelope.payload.type_url}).
     *
     * @throws IllegalArgumentException if that type already has a handler
     */
    public <T extends Message> Builder handle(
        Class<T> payloadType, EventHandler<? super T> handler) {
      T prototype = Internal.getDefaultInstance(payloadType);
      @SuppressWarnings("unchecked")
      com.google.protobuf.Parser<T> parser =
          (com.google.protobuf.Parser<T>) prototype.getParserForType();
      String name = prototype.getDescriptorForType().getFullName();
      if (handlers.putIfAbsent(
              name, HandlerRegistry.Registration.typed(payloadType, parser, handler))
          != null) {
        throw new IllegalArgumentException("a handler for " + name + " is registered already");
      }
      return this;
    }

    /**
     * Registers the handler of every event whose payload type has no {@linkplain #handle typed
     * handler}: it receives the payload still packed ({@code Envelope.payload}, whatever its type,
     * also types this service has no descriptor for) and the envelope in its {@link EventContext}.
     * It runs with the same inbox transaction, retries and dead-lettering as a typed handler. For
     * consumers that record every event of a stream, such as audit. Makes {@link
     * #ignoreUnhandledTypes} moot.
     *
     * @throws IllegalArgumentException if a catch-all handler is registered already
     */
    public Builder handleAll(EventHandler<? super Any> handler) {
      Objects.requireNonNull(handler, "handler");
      if (fallback != null) {
        throw new IllegalArgumentException("a catch-all handler is registered already");
      }
      this.fallback = HandlerRegistry.Registration.any(handler);
      return this;
    }

    /**
     * Acknowledges, with no effect, events whose payload type has no handler, instead of
     * dead-lettering them as {@code UNKNOWN_EVENT_TYPE}. For a consumer that filters on a whole
     * stream ({@code lattice.orders.>}) to keep the stream's order across the types it handles:
     * nats-server 2.9 allows one filter subject per consumer, and one consumer per subject would
     * let an {@code OrderCancelled} overtake its {@code OrderCreated}. A payload that does not
     * parse, or an envelope without a valid event id, is still dead-lettered.
     */
    public Builder ignoreUnhandledTypes() {
      this.ignoreUnhandledTypes = true;
      return this;
    }

    /**
     * Handles the messages of one pull in one inbox transaction, with one commit, instead of one
     * transaction each: for a consumer whose cost per event is mostly the commit and the locks it
     * holds until then (audit's chain lock). Its handlers must take their locks for the whole
     * {@link TransactionBatch} first and in one global order; handlers that lock the rows of each
     * event as it comes (stock, orders) must not be batched: two batches would deadlock. Off by
     * default.
     *
     * @param maxBatch the most messages one pull brings, and so one transaction handles: the spec's
     *     {@link ConsumerSpec#batchSize()} from now on
     */
    public Builder batchTransactions(int maxBatch) {
      this.spec = spec.withBatchSize(maxBatch);
      this.batchTransactions = true;
      return this;
    }

    /** Observes processing steps (tests); {@link ConsumerListener#NONE} by default. */
    public Builder listener(ConsumerListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** How long {@link #close()} waits for the message in hand; 30 s by default. */
    public Builder closeTimeout(Duration closeTimeout) {
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Builds the consumer (not started).
     *
     * @throws IllegalStateException if no handler is registered
     */
    public EventConsumer build() {
      if (handlers.isEmpty() && fallback == null) {
        throw new IllegalStateException("consumer " + spec.durableName() + " has no handler");
      }
      return new EventConsumer(this);
    }
  }
}
