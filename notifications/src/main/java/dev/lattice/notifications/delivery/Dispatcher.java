package dev.lattice.notifications.delivery;

import dev.lattice.notifications.messages.Priority;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link DeliveryWorker} on two lanes, each with its own thread and its own bound on
 * provider calls in flight: the priority lane (HIGH: verification, password reset) and the bulk
 * lane (NORMAL, then LOW). A backlog of bulk messages fills only the bulk lane's slots.
 *
 * <p>A lane that found work looks again after the poll interval. An idle one looks less and less
 * often, doubling its pause up to five poll intervals (at most 1 s, never less than one poll), so
 * an idle service does not claim ten times a second; the {@link WakeUp} its consumers signal once
 * they have committed new deliveries ends the pause at once, so a security message planned in this
 * process still leaves right after its commit, and one planned by another replica, or due after a
 * retry delay, waits at most the longest pause. {@link #close()} stops both lanes and waits for the
 * calls in progress. Thread-safe.
 */
public final class Dispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration LONGEST_IDLE_PAUSE = Duration.ofSeconds(1);

  private final Lane priority;
  private final Lane bulk;

  /**
   * The two lanes over {@code worker}: {@code prioritySlots} and {@code bulkSlots} calls in flight
   * at most, woken by {@code wakeUp}.
   */
  public Dispatcher(DeliveryWorker worker, int prioritySlots, int bulkSlots, WakeUp wakeUp) {
    this.priority = new Lane("priority", worker, EnumSet.of(Priority.HIGH), prioritySlots, wakeUp);
    this.bulk =
        new Lane("bulk", worker, EnumSet.of(Priority.NORMAL, Priority.LOW), bulkSlots, wakeUp);
  }

  /** Starts both lanes, looking for work every {@code poll} while there is some; returns this. */
  public Dispatcher start(Duration poll) {
    Duration longest =
        poll.multipliedBy(5).compareTo(LONGEST_IDLE_PAUSE) > 0
            ? LONGEST_IDLE_PAUSE
            : poll.multipliedBy(5);
    if (longest.compareTo(poll) < 0) {
      longest = poll;
    }
    priority.start(poll, longest);
    bulk.start(poll, longest);
    return this;
  }

  @Override
  public void close() {
    priority.close();
    bulk.close();
  }

  /**
   * Tells the lanes that deliveries were committed: any thread, cheap, never blocks for long. A
   * signal while a lane is busy makes its next pause end at once.
   */
  public static final class WakeUp {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    private long generation; // guarded by lock

    /** Wakes every lane. */
    public void signal() {
      lock.lock();
      try {
        generation++;
        signalled.signalAll();
      } finally {
        lock.unlock();
      }
    }

    long generation() {
      lock.lock();
      try {
        return generation;
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits until a signal newer than {@code seen}, {@code nanos} or an interrupt; true if
     * signalled.
     */
    boolean await(long seen, long nanos) throws InterruptedException {
      lock.lock();
      try {
        while (generation == seen && nanos > 0) {
          nanos = signalled.awaitNanos(nanos);
        }
        return generation != seen;
      } finally {
        lock.unlock();
      }
    }
  }

  /** One lane: a thread that claims as many deliveries as it has free slots. */
  private static final class Lane implements AutoCloseable {

    private final String name;
    private final DeliveryWorker worker;
    private final Set<Priority> priorities;
    private final Semaphore slots;
    private final WakeUp wakeUp;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closing;
    private Thread thread;

    Lane(String name, DeliveryWorker worker, Set<Priority> priorities, int slots, WakeUp wakeUp) {
      this.name = name;
      this.worker = worker;
      this.priorities = priorities;
      this.slots = new Semaphore(slots);
      this.wakeUp = wakeUp;
    }

    void start(Duration poll, Duration longestPause) {
      thread =
          Thread.ofPlatform()
              .name("notifications-" + name + "-lane")
              .daemon()
              .start(() -> run(poll.toNanos(), longestPause.toNanos()));
    }

    private void run(long poll, long longestPause) {
      long pause = poll;
      while (!closing) {
        long seen = wakeUp.generation();
        if (closing) {
          return; // closed between the check and reading the generation: its signal is seen
        }
        pause = round() ? poll : Math.min(longestPause, pause * 2);
        try {
          if (wakeUp.await(seen, pause)) {
            pause = poll;
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Claims and hands out what the free slots allow; true if it claimed anything. */
    private boolean round() {
      try {
        int free = slots.availablePermits();
        if (free == 0) {
          return true; // busy, not idle
        }
        boolean claimed = false;
        for (Delivery claim : worker.claim(priorities, free)) {
          claimed = true;
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
        return claimed;
      } catch (RuntimeException e) {
        log.warn("notifications {} lane round failed: {}", name, e.toString());
        return false;
      }
    }

    @Override
    public void close() {
      // The lane's thread first: a round in progress still hands its claims to calls, which must
      // accept them; shutting calls down before the round ends would reject a claimed delivery.
      // Not interrupted: a round interrupted mid-transaction fails with a connection error (the
      // pool checkout or the socket read interrupted). The wake-up ends the lane's pause; a round
      // in progress ends on its own, and the loop sees closing.
      closing = true;
      wakeUp.signal();
      if (thread != null) {
        try {
          thread.join(TimeUnit.SECONDS.toMillis(30));
          if (thread.isAlive()) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(5));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      calls.shutdown();
      try {
        calls.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
