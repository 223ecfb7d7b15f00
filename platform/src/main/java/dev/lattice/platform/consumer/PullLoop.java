package dev.lattice.platform.consumer;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription and pull loop of one {@link EventConsumer}: on a platform thread it creates the
 * durable consumer, pulls batches and hands the messages to the {@link MessageProcessor} as they
 * arrive, or, with batch transactions, a no-wait pull's messages together; any failure is logged
 * and retried with a growing pause of up to 5 s, re-creating the consumer; after a message that
 * failed because the database is unreachable it pulls nothing until the database answers again.
 * Stopping interrupts the thread only while it waits idle in a pull, never while a message is
 * handled.
 *
 * <p>Pausing ({@link #pause}) closes the open pull at once if the loop waits idle in it, or after
 * the message being handled otherwise (a message that arrives as the pause does is handled too: it
 * was delivered). Once the pull is closed the loop flushes the connection, so the server has
 * dropped the pull before the loop counts as paused: from then on JetStream delivers it nothing.
 * What the pull had brought beyond the messages handled is left unacknowledged and redelivered
 * after the ack wait. The loop then waits until {@link #resume}, and pulls again at once.
 * Thread-safe.
 *
 * <p>A platform thread, not a virtual one: the loop lives as long as the service and spends its
 * time in blocking database round trips (a socket read with the pool's read timeout). On a virtual
 * thread each of them parks and is resumed through the poller and a carrier thread, and the read
 * timeout is armed and disarmed in the scheduler's timer thread: at 8 orders/s the carriers and the
 * timer switched context ~10,000 times a second, the most expensive thing a thread does on these
 * virtualized machines. A platform thread blocks in the read itself.
 */
final class PullLoop {

  // Logs under the consumer's name, as before the loop had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
  private static final long MIN_RETRY_PAUSE_MILLIS = 100;
  private static final long MAX_RETRY_PAUSE_MILLIS = 5_000;
  private static final long DATABASE_RECHECK_MILLIS = 1_000;
  private static final int DATABASE_CHECK_TIMEOUT_SECONDS = 2;
  private static final Duration UNSUBSCRIBE_FLUSH_TIMEOUT = Duration.ofSeconds(2);
  private static final Object PAUSE_FLUSH = new Object();

  private final ConsumerSpec spec;
  private final Connection nats;
  private final DSLContext dsl;
  private final MessageProcessor processor;
  private final PullControl control = new PullControl();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  PullLoop(ConsumerSpec spec, Connection nats, DSLContext dsl, MessageProcessor processor) {
    this.spec = spec;
    this.nats = nats;
    this.dsl = dsl;
    this.processor = processor;
  }

  /**
   * Starts the loop's thread.
   *
   * @throws IllegalStateException if started before or stopped
   */
  void start() {
    Thread thread =
        Thread.ofPlatform()
            .daemon(true)
            .name("consumer-" + spec.durableName())
            .unstarted(this::run);
    if (!control.start(thread)) {
      throw new IllegalStateException(
          "consumer " + spec.durableName() + " was started before or is closed");
    }
    thread.start();
  }

  /** Waits until the durable consumer exists and pulling has begun; true if within the timeout. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Asks the loop to stop: it pulls nothing more, and an idle pull is interrupted.
   *
   * @return false if it was asked before
   */
  boolean requestStop() {
    if (!control.requestStop()) {
      return false;
    }
    stopRequested.countDown();
    return true;
  }

  /**
   * After {@link #requestStop}: waits up to {@code timeout} for the message in hand, then
   * interrupts the thread if it is still handling one. Keeps the caller's interrupt.
   */
  void awaitStopped(Duration timeout) {
    Thread running = control.thread();
    try {
      if (running != null && !stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "consumer {}: a message still in hand after {}; it will be redelivered",
            spec.durableName(),
            timeout);
        running.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Takes no new message until {@link #resume}; see the class comment.
   *
   * @return false if it was paused already
   */
  boolean pause() {
    return control.pause();
  }

  /**
   * Pulls again at once.
   *
   * @return false if it was not paused
   */
  boolean resume() {
    return control.resume();
  }

  /**
   * After {@link #pause}: waits up to {@code timeout} until no pull is open and no message is
   * handled.
   *
   * @return true if so
   */
  boolean awaitPaused(Duration timeout) throws InterruptedException {
    return control.awaitQuiet(timeout);
  }

  /** Whether it runs, pauses or is paused, and since when. */
  PullControl.Snapshot state() {
    return control.snapshot();
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
      while (!control.isStopping()) {
        try {
          if (context == null) {
            DurableConsumers.ensure(nats, spec);
            context = nats.getConsumerContext(spec.stream(), spec.durableName());
            ready.countDown();
          }
          control.awaitResumed();
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
          if (control.isStopping()) {
            return;
          }
          // A pause interrupted an idle pull, which is closed now: wait for the resume.
        } catch (Exception | Error e) { // the loop must outlive any failure, even OOM
          failures++;
          context = null;
          String error = e.toString();
          logFailure(e, failures, error.equals(lastError));
          lastError = error;
          long pause =
              Math.min(MAX_RETRY_PAUSE_MILLIS, MIN_RETRY_PAUSE_MILLIS << Math.min(failures, 10));
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

  /** Logs a pull failure: the first, every 20th and each new kind of failure. */
  private void logFailure(Throwable e, int failures, boolean sameAsLast) {
    if (isStreamNotFound(e)) {
      // The publishing service has not created its stream yet: on a fresh mesh its
      // consumers start before it does. Expected, so no warning unless it lasts.
      if (failures == 1) {
        log.info(
            "consumer {}: waiting for stream {} (its publisher creates it when it starts)",
            spec.durableName(),
            spec.stream());
      } else if (failures % 20 == 0) {
        log.warn(
            "consumer {}: stream {} still missing after {} attempts; is its publisher running?",
            spec.durableName(),
            spec.stream(),
            failures);
      }
    } else if (failures == 1 || failures % 20 == 0 || !sameAsLast) {
      log.warn(
          "consumer {}: pulling failed ({} in a row), retrying every {} ms at most: {}",
          spec.durableName(),
          failures,
          MAX_RETRY_PAUSE_MILLIS,
          e.toString());
    }
  }

  /**
   * One pull. For a consumer with batch transactions, a no-wait pull that expires: it waits (idle)
   * until a message is there, then brings the messages pending at that moment, up to the batch
   * size, and ends; they are handled together ({@link MessageProcessor#process(List)}). Otherwise a
   * pull of up to the batch size whose messages are handled one by one as they arrive, until it is
   * complete or expires. Opens no pull while paused.
   *
   * @return true if it stopped early because the database could not be reached; what the pull
   *     fetched beyond that message is redelivered after the ack wait
   */
  private boolean fetchBatch(ConsumerContext context) throws Exception {
    if (!control.openPull()) {
      return false;
    }
    boolean batched = processor.batchTransactions();
    FetchConsumeOptions.Builder options =
        FetchConsumeOptions.builder().maxMessages(spec.batchSize());
    if (batched) {
      options.noWaitExpiresIn(spec.fetchExpires().toMillis());
    } else {
      options.expiresIn(spec.fetchExpires().toMillis());
    }
    try (FetchConsumer fetch = context.fetch(options.build())) {
      return batched ? handleBatch(fetch) : handleArrivals(fetch);
    } finally {
      closePull();
    }
  }

  /** Hands each message of the pull to the processor as it arrives; see {@link #fetchBatch}. */
  private boolean handleArrivals(FetchConsumer fetch) throws Exception {
    while (true) {
      io.nats.client.Message message = awaitMessage(fetch);
      if (message == null) {
        return false;
      }
      try {
        if (processor.process(message)) {
          return true;
        }
      } finally {
        control.endHandling();
      }
    }
  }

  /**
   * Waits for the pull's first message, then takes the rest of the pull (pending already, so they
   * come at once) and hands them all to the processor; see {@link #fetchBatch}.
   */
  private boolean handleBatch(FetchConsumer fetch) throws Exception {
    io.nats.client.Message first = awaitMessage(fetch);
    if (first == null) {
      return false;
    }
    try {
      List<io.nats.client.Message> batch = new ArrayList<>(spec.batchSize());
      batch.add(first);
      io.nats.client.Message next;
      while (batch.size() < spec.batchSize() && (next = fetch.nextMessage()) != null) {
        batch.add(next);
      }
      return processor.process(batch);
    } finally {
      control.endHandling();
    }
  }

  /**
   * Waits, idle, for the pull's next message and begins handling it (the caller then ends the
   * handling).
   *
   * @return null when the pull is complete or expired, or the loop is pausing or stopping (a
   *     message that arrived as it was stopped is handed back)
   */
  private io.nats.client.Message awaitMessage(FetchConsumer fetch) throws Exception {
    if (!control.beginWait()) {
      return null;
    }
    io.nats.client.Message message;
    try {
      message = fetch.nextMessage();
    } finally {
      control.endWait();
    }
    if (message == null) {
      return null;
    }
    if (!control.beginHandling()) {
      // Arrived as close() was called: hand it back for another instance now.
      Acks.nak(message, JetStreamDelivery.of(message), Duration.ZERO);
      return null;
    }
    return message;
  }

  /**
   * After the pull's subscription is closed: when paused, flushes the connection first, so that the
   * server has processed the unsubscribe (and the acknowledgements before it) and sends the pull
   * nothing more by the time the consumer counts as paused. A connection that cannot flush is down,
   * and a server that lost the connection dropped its pulls with it.
   */
  private void closePull() {
    control.clearPauseInterrupt();
    try {
      if (control.pausedAtClose()) {
        // One flush at a time: each sends a ping, and more outstanding pings than the connection's
        // maxPingsOut (2) make jnats declare it dead and reconnect it; pausing all of a service's
        // consumers at once did exactly that.
        synchronized (PAUSE_FLUSH) {
          nats.flush(UNSUBSCRIBE_FLUSH_TIMEOUT);
        }
      }
    } catch (TimeoutException | IllegalStateException e) {
      log.debug(
          "consumer {}: no flush after closing the pull: {}", spec.durableName(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() gave up waiting
    } finally {
      control.pullDropped();
    }
  }

  /**
   * Pulls nothing until the database answers again (or the consumer closes), checking every {@value
   * #DATABASE_RECHECK_MILLIS} ms: every event pulled meanwhile would fail and use up a delivery,
   * and a long outage would dead-letter them all, though none of them is at fault.
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
}
