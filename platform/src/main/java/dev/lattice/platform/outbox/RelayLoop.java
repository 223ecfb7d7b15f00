package dev.lattice.platform.outbox;

import io.nats.client.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background polling of an {@link OutboxRelay}: on its platform thread it runs a round, goes
 * again at once after a round that claimed a full batch or published something and may have left
 * due rows behind, and otherwise waits for a {@linkplain #wakeUp wake-up} or the poll interval; it
 * claims nothing while NATS is not connected, pauses with backoff up to {@value
 * #MAX_FAILURE_PAUSE_MS} ms after a failed round, and every {@value
 * OutboxRelay#HEARTBEAT_INTERVAL_MS} ms refreshes the backlog gauges and writes the heartbeat row.
 * {@link #wakeUp} and {@link #stop} are thread-safe; the rest runs on the loop's thread.
 */
final class RelayLoop {

  private static final long MAX_FAILURE_PAUSE_MS = 5_000;
  private static final long FAILURE_LOG_INTERVAL_NANOS = Duration.ofSeconds(30).toNanos();
  // Logs under the relay's name, as before the loop had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final String service;
  private final DSLContext dsl;
  private final Connection nats;
  private final OutboxRelayConfig config;
  private final RelayRound round;
  private final RelayMetrics metrics;
  private final Instant startTime = Instant.now();
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean signalled; // guarded by lock
  private volatile boolean stopping;
  private long nextHeartbeat; // loop thread only
  private long lastFailureLog; // loop thread only
  private long lastPublishFailureLog = System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS; // loop

  RelayLoop(
      String service,
      DSLContext dsl,
      Connection nats,
      OutboxRelayConfig config,
      RelayRound round,
      RelayMetrics metrics) {
    this.service = service;
    this.dsl = dsl;
    this.nats = nats;
    this.config = config;
    this.round = round;
    this.metrics = metrics;
    this.thread = Thread.ofPlatform().name("outbox-relay-" + service).unstarted(this::run);
  }

  /** Starts the loop's thread. */
  void start() {
    thread.start();
  }

  /** Ends the wait for the next poll now. Cheap and non-blocking; any thread. */
  void wakeUp() {
    lock.lock();
    try {
      signalled = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the loop after the round in progress (at most the ack timeout and 30 s), interrupting it
   * if it takes longer.
   */
  void stop() {
    stopping = true;
    wakeUp();
    try {
      thread.join(config.ackTimeout().plusSeconds(30));
      if (thread.isAlive()) {
        log.warn("outbox relay {}: round still running after close; interrupting it", service);
        thread.interrupt();
        thread.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Refreshes the backlog gauges and writes the heartbeat row; failures are only logged. */
  void heartbeat() {
    try {
      OutboxStore.Summary summary = OutboxStore.summary(dsl);
      metrics.backlog(
          summary.pending(),
          summary.oldestCreateTime() == null ? null : summary.oldestCreateTime().toInstant());
      OutboxStore.heartbeat(dsl, round.heartbeat(config.instanceId(), startTime));
    } catch (RuntimeException e) {
      log.debug("outbox relay {}: heartbeat failed: {}", service, e.toString());
    }
  }

  private void run() {
    long failurePause = 0;
    nextHeartbeat = System.nanoTime();
    while (!stopping) {
      heartbeatIfDue();
      boolean again = false;
      Connection.Status status = nats.getStatus();
      if (status != Connection.Status.CONNECTED) {
        round.noteError("NATS connection " + status);
      } else {
        try {
          RelayRound.Result result = round.run();
          if (result.failed() > 0 && !result.disconnected()) {
            logPublishFailures(result);
          }
          // After a round that published, another at once only if rows may be due that it did
          // not take: one that found everything due would be followed by an empty round, a
          // transaction, for every round at a low rate (a wake-up that came during the round
          // still ends the wait at once).
          again =
              (result.published() > 0 && result.mayHaveMoreDue())
                  || (result.claimed() == config.batchSize() && !result.disconnected());
          if (failurePause > 0) {
            log.info("outbox relay {}: database reachable again", service);
            failurePause = 0;
          }
        } catch (RuntimeException e) {
          if (stopping) {
            break;
          }
          boolean firstFailure = failurePause == 0;
          failurePause = Math.min(MAX_FAILURE_PAUSE_MS, Math.max(100, failurePause * 2));
          logFailure(e, failurePause, firstFailure);
          round.noteError(e.toString());
          awaitSignal(Duration.ofMillis(failurePause));
          continue;
        }
      }
      if (!again) {
        awaitSignal(config.pollInterval());
      }
    }
  }

  private void heartbeatIfDue() {
    if (System.nanoTime() - nextHeartbeat >= 0) {
      heartbeat();
      nextHeartbeat =
          System.nanoTime() + Duration.ofMillis(OutboxRelay.HEARTBEAT_INTERVAL_MS).toNanos();
    }
  }

  /** Logs the first failure of a streak, then at most every 30 s while it lasts. */
  /**
   * Warns, at most every 30 s, about publishes that failed while NATS was connected: a silent
   * broker (nothing acked; the rows are retried next round) or refusals and timeouts of some rows
   * (they back off). Without it a relay that cannot get its rows out said nothing.
   */
  private void logPublishFailures(RelayRound.Result result) {
    long now = System.nanoTime();
    if (now - lastPublishFailureLog <= FAILURE_LOG_INTERVAL_NANOS) {
      return;
    }
    if (result.unanswered()) {
      log.warn(
          "outbox relay {}: NATS is connected but acked none of {} publishes within {} ms;"
              + " retrying them every round",
          service,
          result.failed(),
          config.ackTimeout().toMillis());
    } else {
      log.warn(
          "outbox relay {}: {} of {} publishes failed ({}); those rows back off",
          service,
          result.failed(),
          result.claimed(),
          round.lastError());
    }
    lastPublishFailureLog = now;
  }

  private void logFailure(RuntimeException e, long pauseMillis, boolean firstFailure) {
    long now = System.nanoTime();
    if (firstFailure || now - lastFailureLog > FAILURE_LOG_INTERVAL_NANOS) {
      log.warn(
          "outbox relay {}: round failed, retrying in {} ms: {}",
          service,
          pauseMillis,
          e.toString());
      lastFailureLog = now;
    }
  }

  private void awaitSignal(Duration timeout) {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (!signalled && !stopping && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
      signalled = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    } finally {
      lock.unlock();
    }
  }
}
