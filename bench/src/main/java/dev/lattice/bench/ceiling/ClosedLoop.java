package dev.lattice.bench.ceiling;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of asynchronous operations in flight for a warm-up and then a measured
 * window: a new one starts as soon as one ends (a closed loop, so latency includes the queueing
 * that this concurrency causes). Counts the operations that complete inside the window and records
 * the latency of those that start inside it. Used by the echo and JetStream ceilings.
 *
 * <p>Not thread-safe: one {@link #run} at a time; completions may arrive on any thread.
 */
final class ClosedLoop {

  /** Starts one operation; it must call {@link Completion#done} or {@link Completion#failed}. */
  interface Operation {
    void start(Completion completion);
  }

  /** How an operation reports its end; exactly one of the two, once. */
  interface Completion {
    void done();

    void failed(Throwable error);
  }

  /**
   * @param completed operations completed inside the window
   * @param failed operations that failed (any time)
   * @param window the measured window's length
   * @param latencyNanos latencies of the operations started inside the window
   * @param firstError the first failure, or null
   */
  record Outcome(
      long completed, long failed, Duration window, Histogram latencyNanos, Throwable firstError) {
    double perSecond() {
      return completed / (window.toNanos() / 1e9);
    }
  }

  private ClosedLoop() {}

  /**
   * Runs {@code operation} with {@code inFlight} in flight for {@code warmup} plus {@code window},
   * then waits up to 30 s for those still in flight. Stops early at the first failure, which the
   * outcome then carries; an operation that throws when started has failed.
   *
   * @param onFailure called once per failure (e.g. to log); may be a no-op
   */
  static Outcome run(
      Operation operation,
      int inFlight,
      Duration warmup,
      Duration window,
      Consumer<Throwable> onFailure)
      throws InterruptedException {
    if (inFlight < 1) {
      throw new IllegalArgumentException("inFlight must be at least 1: " + inFlight);
    }
    Semaphore permits = new Semaphore(inFlight);
    Recorder recorder = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    long windowStart = System.nanoTime() + warmup.toNanos();
    long windowEnd = windowStart + window.toNanos();
    // A failure ends the loop: a ceiling with failures in it is no ceiling.
    while (System.nanoTime() < windowEnd && failed.get() == 0) {
      if (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        continue;
      }
      long start = System.nanoTime();
      Completion completion =
          new Completion() {
            @Override
            public void done() {
              long end = System.nanoTime();
              if (start >= windowStart && start < windowEnd) {
                recorder.recordValue(end - start);
              }
              if (end >= windowStart && end < windowEnd) {
                completed.incrementAndGet();
              }
              permits.release();
            }

            @Override
            public void failed(Throwable error) {
              failed.incrementAndGet();
              firstError.compareAndSet(null, error);
              onFailure.accept(error);
              permits.release();
            }
          };
      try {
        operation.start(completion);
      } catch (RuntimeException e) {
        completion.failed(e);
      }
    }
    permits.tryAcquire(inFlight, 30, TimeUnit.SECONDS);
    return new Outcome(
        completed.get(), failed.get(), window, recorder.getIntervalHistogram(), firstError.get());
  }
}
