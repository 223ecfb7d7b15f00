package dev.lattice.notifications.delivery;

import dev.lattice.notifications.messages.Priority;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link DeliveryWorker} on two lanes, each with its own timer thread and its own bound on
 * provider calls in flight: the priority lane (HIGH: verification, password reset) and the bulk
 * lane (NORMAL, then LOW). A backlog of bulk messages fills only the bulk lane's slots, so a
 * security message waits at most one poll interval. {@link #close()} stops both and waits for the
 * calls in progress. Thread-safe.
 */
public final class Dispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final Lane priority;
  private final Lane bulk;

  /**
   * The two lanes over {@code worker}: {@code prioritySlots} and {@code bulkSlots} calls in flight
   * at most.
   */
  public Dispatcher(DeliveryWorker worker, int prioritySlots, int bulkSlots) {
    this.priority = new Lane("priority", worker, EnumSet.of(Priority.HIGH), prioritySlots);
    this.bulk = new Lane("bulk", worker, EnumSet.of(Priority.NORMAL, Priority.LOW), bulkSlots);
  }

  /** Starts a round of each lane every {@code poll}; returns this. */
  public Dispatcher start(Duration poll) {
    priority.start(poll);
    bulk.start(poll);
    return this;
  }

  @Override
  public void close() {
    priority.close();
    bulk.close();
  }

  /** One lane: a timer that claims as many deliveries as it has free slots. */
  private static final class Lane implements AutoCloseable {

    private final String name;
    private final DeliveryWorker worker;
    private final Set<Priority> priorities;
    private final Semaphore slots;
    private final ScheduledExecutorService timer;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    Lane(String name, DeliveryWorker worker, Set<Priority> priorities, int slots) {
      this.name = name;
      this.worker = worker;
      this.priorities = priorities;
      this.slots = new Semaphore(slots);
      this.timer =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("notifications-" + name + "-lane").daemon().factory());
    }

    void start(Duration poll) {
      timer.scheduleWithFixedDelay(this::round, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
      try {
        int free = slots.availablePermits();
        if (free == 0) {
          return;
        }
        for (Delivery claim : worker.claim(priorities, free)) {
          slots.acquireUninterruptibly();
          calls.execute(
              () -> {
                try {
                  worker.process(claim);
                } finally {
                  slots.release();
                }
              });
        }
      } catch (RuntimeException e) {
        log.warn("notifications {} lane round failed: {}", name, e.toString());
      }
    }

    @Override
    public void close() {
      // The timer first: a round in progress still hands its claims to calls, which must accept
      // them; shutting calls down before the round ends would reject a claimed delivery.
      timer.shutdown();
      awaitQuietly(timer);
      calls.shutdown();
      awaitQuietly(calls);
    }

    private static void awaitQuietly(ExecutorService executor) {
      try {
        executor.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
