package dev.lattice.platform.consumer;

import com.google.protobuf.Any;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.ReplayPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one durable JetStream pull consumer: at-least-once delivery turned into exactly-once effects
 * by an inbox table (docs/architecture.md §6, decision 0004).
 *
 * <p><b>Set-up.</b> {@link #start()} creates or updates the durable consumer idempotently (explicit
 * ack, {@code ack_wait}, {@code max_deliver}, deliver-all, the filter subjects) and then pulls in a
 * loop on a virtual thread: batches of {@link ConsumerSpec#batchSize()} with {@link
 * ConsumerSpec#fetchExpires()} and an idle heartbeat. Any failure (NATS down or restarted, the
 * stream not created yet, the consumer deleted) is logged and retried with a growing pause of up to
 * 5 s, re-creating the consumer; nothing has to restart the consumer.
 *
 * <p><b>Per message</b>, one at a time in delivery order:
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
 *       ConsumerSpec#inProgressInterval()} while this takes.
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
 * <p><b>Shutdown.</b> {@link #close()} stops pulling, lets the message being handled finish (up to
 * the close timeout) and returns. Messages fetched but not started are redelivered after the ack
 * wait. Thread-safe.
 */
public final class EventConsumer implements AutoCloseable {

  /** How long {@link #close()} waits for the message in hand by default. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
  private static final String INSTRUMENTATION_SCOPE = "dev.lattice.platform.consumer";
  private static final long MIN_RETRY_PAUSE_MILLIS = 100;
  private static final long MAX_RETRY_PAUSE_MILLIS = 5_000;
  private static final long DATABASE_RECHECK_MILLIS = 1_000;
  private static final int DATABASE_CHECK_TIMEOUT_SECONDS = 2;

  private final ConsumerSpec spec;
  private final Connection nats;
  private final DSLContext dsl;
  private final MessageProcessor processor;
  private final MaxDeliveriesWatcher watcher;
  private final InProgressTicker ticker;
  private final Duration closeTimeout;
  private final Object lock = new Object();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private Thread loop; // guarded by lock
  private boolean stopping; // guarded by lock
  private boolean waitingForMessages; // guarded by lock

  private EventConsumer(Builder builder) {
    this.spec = builder.spec;
    this.nats = builder.nats;
    this.dsl = builder.dsl;
    this.closeTimeout = builder.closeTimeout;
    ConsumerMetrics metrics =
        new ConsumerMetrics(builder.telemetry.meter(INSTRUMENTATION_SCOPE), spec.durableName());
    DeadLetterSender sender = new DeadLetterSender(spec, builder.deadLetters, metrics);
    this.ticker = new InProgressTicker(spec.durableName(), spec.inProgressInterval());
    this.processor =
        new MessageProcessor(
            spec,
            builder.dsl,
            new HandlerRegistry(builder.handlers, builder.fallback),
            builder.ignoreUnhandledTypes,
            sender,
            builder.listener,
            builder.telemetry.tracer(INSTRUMENTATION_SCOPE),
            builder.telemetry.propagator(),
            metrics,
            ticker);
    this.watcher = new MaxDeliveriesWatcher(nats, spec, builder.dsl, sender);
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
    synchronized (lock) {
      if (loop != null || stopping) {
        throw new IllegalStateException(
            "consumer " + spec.durableName() + " was started before or is closed");
      }
      loop = Thread.ofVirtual().name("consumer-" + spec.durableName()).unstarted(this::run);
      loop.start();
    }
    watcher.start();
    return this;
  }

  /**
   * Waits until the durable consumer exists on the server and pulling has begun.
   *
   * @return true if so within {@code timeout}
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops pulling, waits for the message being handled (up to the close timeout), then releases the
   * consumer's threads. The durable consumer stays on the server. Idempotent.
   */
  @Override
  public void close() {
    Thread running;
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      running = loop;
      if (running != null && waitingForMessages) {
        running.interrupt(); // only ever while idle in a pull, never mid-handler
      }
    }
    stopRequested.countDown();
    try {
      if (running != null && !stopped.await(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "consumer {}: a message still in hand after {}; it will be redelivered",
            spec.durableName(),
            closeTimeout);
        running.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      watcher.close();
      ticker.close();
    }
  }

  /** JetStream's "stream not found" (API error 10059). */
  private static boolean isStreamNotFound(Throwable e) {
    return e instanceof io.nats.client.JetStreamApiException api && api.getApiErrorCode() == 10059;
  }

  private void run() {
    ConsumerContext context = null;
    int failures = 0;
    String lastError = null; // a new kind of failure is logged at once
    try {
      while (!isStopping()) {
        try {
          if (context == null) {
            ensureConsumer();
            context = nats.getConsumerContext(spec.stream(), spec.durableName());
            ready.countDown();
          }
          if (fetchBatch(context)) {
            awaitDatabase();
            continue;
          }
          if (failures > 0) {
            log.info("consumer {}: consuming again", spec.durableName());
          }
          failures = 0;
          lastError = null;
        } catch (InterruptedException e) {
          if (isStopping()) {
            return;
          }
        } catch (Exception | Error e) { // the loop must outlive any failure, even OOM
          failures++;
          context = null;
          long pause =
              Math.min(MAX_RETRY_PAUSE_MILLIS, MIN_RETRY_PAUSE_MILLIS << Math.min(failures, 10));
          String error = e.toString();
          if (isStreamNotFound(e)) {
            // The publishing service has not created its stream yet: on a fresh mesh its
            // consumers start before it does. Expected, so no warning unless it lasts.
            if (failures == 1) {
              log.info("consumer {}: waiting for stream {} (its publisher creates it when it starts)",
                  spec.durableName(), spec.stream());
            } else if (failures % 20 == 0) {
              log.warn("consumer {}: stream {} still missing after {} attempts; is its publisher running?",
                  spec.durableName(), spec.stream(), failures);
            }
          } else if (failures == 1 || failures % 20 == 0 || !error.equals(lastError)) {
            log.warn(
                "consumer {}: pulling failed ({} in a row), retrying every {} ms at most: {}",
                spec.durableName(),
                failures,
                MAX_RETRY_PAUSE_MILLIS,
                error);
          }
          lastError = error;
          if (stopRequested.await(pause, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      // close() gave up waiting; exit.
    } finally {
      stopped.countDown();
    }
  }

  /**
   * One pull: handles what arrives until the batch is complete or the pull expires.
   *
   * @return true if it stopped early because the database could not be reached; what the pull
   *     fetched beyond that message is redelivered after the ack wait
   */
  private boolean fetchBatch(ConsumerContext context) throws Exception {
    FetchConsumeOptions options =
        FetchConsumeOptions.builder()
            .maxMessages(spec.batchSize())
            .expiresIn(spec.fetchExpires().toMillis())
            .build();
    try (FetchConsumer fetch = context.fetch(options)) {
      while (true) {
        synchronized (lock) {
          if (stopping) {
            return false;
          }
          waitingForMessages = true;
        }
        io.nats.client.Message message;
        try {
          message = fetch.nextMessage();
        } finally {
          synchronized (lock) {
            waitingForMessages = false;
          }
        }
        if (message == null) {
          return false;
        }
        synchronized (lock) {
          if (stopping) {
            // Arrived as close() was called: hand it back for another instance now.
            Acks.nak(message, MessageProcessor.Delivery.of(message), Duration.ZERO);
            return false;
          }
        }
        if (processor.process(message)) {
          return true;
        }
      }
    }
  }

  /**
   * Pulls nothing until the database answers again (or the consumer closes), checking every
   * {@value #DATABASE_RECHECK_MILLIS} ms: every event pulled meanwhile would fail and use up a
   * delivery, and a long outage would dead-letter them all, though none of them is at fault.
   */
  private void awaitDatabase() throws InterruptedException {
    log.warn(
        "consumer {}: its database does not answer; pulling nothing until it does",
        spec.durableName());
    while (!stopRequested.await(DATABASE_RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
      try {
        if (dsl.connectionResult(c -> c.isValid(DATABASE_CHECK_TIMEOUT_SECONDS))) {
          log.info("consumer {}: its database answers again; consuming", spec.durableName());
          return;
        }
      } catch (RuntimeException e) {
        // still unreachable (the pool's checkout timed out): check again
      }
    }
  }

  private boolean isStopping() {
    synchronized (lock) {
      return stopping;
    }
  }

  /** Creates or updates the durable consumer; fails if the server cannot honour the filters. */
  private void ensureConsumer() throws IOException, JetStreamApiException {
    ConsumerConfiguration.Builder config =
        ConsumerConfiguration.builder()
            .durable(spec.durableName())
            .description(
                "Lattice "
                    + spec.service()
                    + ": max_deliver "
                    + spec.maxDeliver()
                    + ", client-side backoff "
                    + spec.backoff())
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(spec.ackWait())
            .maxDeliver(spec.maxDeliver())
            .deliverPolicy(DeliverPolicy.All)
            .replayPolicy(ReplayPolicy.Instant);
    if (spec.filterSubjects().size() == 1) {
      config.filterSubject(spec.filterSubjects().get(0));
    } else {
      if (!nats.getServerInfo().isSameOrNewerThanVersion("2.10.0")) {
        throw new IllegalStateException(
            "consumer "
                + spec.durableName()
                + " has several filter subjects, which needs"
                + " nats-server 2.10+; connected to "
                + nats.getServerInfo().getVersion());
      }
      config.filterSubjects(spec.filterSubjects());
    }
    ConsumerInfo info =
        nats.jetStreamManagement().addOrUpdateConsumer(spec.stream(), config.build());
    if (!new HashSet<>(info.getConsumerConfiguration().getFilterSubjects())
        .equals(new HashSet<>(spec.filterSubjects()))) {
      throw new IllegalStateException(
          "consumer "
              + spec.durableName()
              + " has filters "
              + info.getConsumerConfiguration().getFilterSubjects()
              + ", not "
              + spec.filterSubjects());
    }
  }

  /** Builds an {@link EventConsumer}; not thread-safe. */
  public static final class Builder {

    private final ConsumerSpec spec;
    private final Connection nats;
    private final DSLContext dsl;
    private final DeadLetters deadLetters;
    private final Telemetry telemetry;
    private final Map<String, HandlerRegistry.Registration<?>> handlers = new HashMap<>();
    private ConsumerListener listener = ConsumerListener.NONE;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private boolean ignoreUnhandledTypes;
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
