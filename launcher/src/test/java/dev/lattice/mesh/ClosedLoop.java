package dev.lattice.mesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop load for the benchmarks: N virtual threads, each calling again as soon as answered.
 */
final class ClosedLoop {

  private ClosedLoop() {}

  /** A call the loop repeats; it records its own latency. */
  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  /**
   * Runs {@code call} from {@code concurrency} virtual threads for {@code duration}; the call
   * count.
   */
  static long run(int concurrency, Duration duration, Call call) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Long>> counts = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        counts.add(
            workers.submit(
                () -> {
                  go.await();
                  long n = 0;
                  while (System.nanoTime() < end) {
                    call.run();
                    n++;
                  }
                  return n;
                }));
      }
      go.countDown();
      long total = 0;
      for (Future<Long> count : counts) {
        total += count.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
      }
      return total;
    }
  }
}
