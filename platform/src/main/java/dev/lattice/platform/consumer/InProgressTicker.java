package dev.lattice.platform.consumer;

import io.nats.client.Message;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends in-progress acknowledgements ({@code +WPI}, which restart the server's ack-wait timer) for
 * a message at a fixed interval until stopped, so that a slow but healthy handler is not
 * redelivered to another instance. One daemon thread per consumer. Thread-safe.
 */
final class InProgressTicker implements AutoCloseable {

  private final ScheduledExecutorService scheduler;
  private final long intervalMillis;

  InProgressTicker(String consumerName, Duration interval) {
    this.intervalMillis = Math.max(1, interval.toMillis());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("consumer-" + consumerName + "-progress").factory());
  }

  /** Starts ticking for {@code message}; the first tick comes after one interval. */
  Handle start(Message message) {
    ScheduledFuture<?> ticks =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                message.inProgress();
              } catch (RuntimeException e) {
                // Disconnected: the next tick (or the redelivery) takes care of it.
              }
            },
            intervalMillis,
            intervalMillis,
            TimeUnit.MILLISECONDS);
    return () -> ticks.cancel(false);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** Stops the ticks of one message. */
  interface Handle {
    void stop();
  }
}
