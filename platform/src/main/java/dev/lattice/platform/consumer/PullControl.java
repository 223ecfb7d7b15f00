package dev.lattice.platform.consumer;

import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link PullLoop}'s thread shares with the threads that stop, pause and resume it, under
 * one lock: whether it is stopping or paused, and where it is (waiting idle in a pull, with a pull
 * open, handling a message). The loop asks before each step ({@link #openPull}, {@link #beginWait},
 * {@link #beginHandling}) whether it may take it, so a pause or stop is never missed between a
 * check and the step.
 *
 * <p>Interrupts: {@link #requestStop} and {@link #pause} interrupt the loop's thread only while it
 * waits idle in a pull, never while it handles a message; an interrupt that arrives as a message
 * does is cleared by {@link #beginHandling} before the handler runs. Thread-safe.
 */
final class PullControl {

  private final Object lock = new Object();
  private Thread loop; // guarded by lock
  private boolean stopping; // guarded by lock
  private boolean paused; // guarded by lock
  private Instant stateChangeTime = Instant.now(); // guarded by lock
  private boolean pullOpen; // guarded by lock
  private boolean waitingForMessages; // guarded by lock
  private boolean handling; // guarded by lock

  /**
   * Records the loop's thread, which runs from now on.
   *
   * @return false if a thread was recorded before or a stop was requested
   */
  boolean start(Thread thread) {
    synchronized (lock) {
      if (loop != null || stopping) {
        return false;
      }
      loop = thread;
      if (!paused) {
        stateChangeTime = Instant.now();
      }
      return true;
    }
  }

  /** The loop's thread; null if never started. */
  Thread thread() {
    synchronized (lock) {
      return loop;
    }
  }

  /**
   * Asks the loop to stop: it takes no step more, an idle pull is interrupted, a pause is left.
   *
   * @return false if it was asked before
   */
  boolean requestStop() {
    synchronized (lock) {
      if (stopping) {
        return false;
      }
      stopping = true;
      interruptIdleWait();
      lock.notifyAll();
      return true;
    }
  }

  boolean isStopping() {
    synchronized (lock) {
      return stopping;
    }
  }

  /**
   * Asks the loop to take no new message: an idle pull is interrupted and closed, a message being
   * handled is finished, and no pull is opened until {@link #resume}.
   *
   * @return false if it was paused already
   */
  boolean pause() {
    synchronized (lock) {
      if (paused) {
        return false;
      }
      paused = true;
      stateChangeTime = Instant.now();
      interruptIdleWait();
      lock.notifyAll();
      return true;
    }
  }

  /**
   * Lets the loop pull again at once.
   *
   * @return false if it was not paused
   */
  boolean resume() {
    synchronized (lock) {
      if (!paused) {
        return false;
      }
      paused = false;
      stateChangeTime = Instant.now();
      lock.notifyAll();
      return true;
    }
  }

  /** Blocks the loop while it is paused; returns at once when not, or when a stop is requested. */
  void awaitResumed() throws InterruptedException {
    synchronized (lock) {
      while (paused && !stopping) {
        lock.wait();
      }
    }
  }

  /**
   * After {@link #pause}: waits until the loop has no pull open and handles nothing.
   *
   * @return true if it is so (or the loop stops, or it was resumed meanwhile) within {@code
   *     timeout}
   */
  boolean awaitQuiet(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (paused && !stopping && (pullOpen || handling)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  /** The state an operator sees, and since when. */
  Snapshot snapshot() {
    synchronized (lock) {
      ConsumerState state =
          !paused
              ? ConsumerState.RUNNING
              : pullOpen || handling ? ConsumerState.PAUSING : ConsumerState.PAUSED;
      return new Snapshot(state, stateChangeTime);
    }
  }

  /**
   * Before the loop opens a pull.
   *
   * @return false if paused or stopping: the loop must not open one
   */
  boolean openPull() {
    synchronized (lock) {
      if (paused || stopping) {
        return false;
      }
      pullOpen = true;
      return true;
    }
  }

  /**
   * Asked when the pull's subscription is closed.
   *
   * @return whether the loop is paused now, so that it makes sure the server has dropped the pull
   *     before {@link #pullDropped} reports it gone
   */
  boolean pausedAtClose() {
    synchronized (lock) {
      return paused && pullOpen;
    }
  }

  /** The server knows the pull is closed: nothing more arrives for it. */
  void pullDropped() {
    synchronized (lock) {
      pullOpen = false;
      lock.notifyAll();
    }
  }

  /**
   * Before the loop waits for the next message of its pull.
   *
   * @return false if paused or stopping: the loop must close the pull instead
   */
  boolean beginWait() {
    synchronized (lock) {
      if (paused || stopping) {
        return false;
      }
      waitingForMessages = true;
      return true;
    }
  }

  /** The wait for a message returned or was interrupted. */
  void endWait() {
    synchronized (lock) {
      waitingForMessages = false;
    }
  }

  /**
   * Before the loop hands a message that arrived to the processor. A message that arrives is
   * handled even when a pause came meanwhile: it was delivered, and handling it spends no delivery.
   *
   * @return false if stopping: the loop must hand the message back instead
   */
  boolean beginHandling() {
    synchronized (lock) {
      if (stopping) {
        return false;
      }
      // A pause may have interrupted the wait as this message arrived; the interrupt was meant
      // for the idle wait, and must not reach the handler's database calls.
      Thread.interrupted();
      handling = true;
      return true;
    }
  }

  /** The processor is done with the message. */
  void endHandling() {
    synchronized (lock) {
      handling = false;
      lock.notifyAll();
    }
  }

  /**
   * Clears an interrupt a pause sent to an idle wait that had ended already, so that it does not
   * break the loop's next blocking call; a stop's interrupt is kept.
   */
  void clearPauseInterrupt() {
    synchronized (lock) {
      if (!stopping) {
        Thread.interrupted();
      }
    }
  }

  private void interruptIdleWait() {
    if (loop != null && waitingForMessages) {
      loop.interrupt(); // only ever while idle in a pull, never mid-handler
    }
  }

  /**
   * A consumer's state at one moment.
   *
   * @param state what it does
   * @param since when it entered that state
   */
  record Snapshot(ConsumerState state, Instant since) {}
}
