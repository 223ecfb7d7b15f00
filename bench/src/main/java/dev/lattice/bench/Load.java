package dev.lattice.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The two ways the driver offers load, both with asynchronous calls, so a slow answer never holds a
 * thread and the driver's own CPU stays small:
 *
 * <ul>
 *   <li><b>Closed loop</b>: N calls in flight; each answer starts the next call. Finds the maximum
 *       rate at N; its latency is service time plus queueing behind the other N-1.
 *   <li><b>Open loop</b>: calls start at a fixed rate whatever the answers do, and each latency
 *       runs from the call's <em>intended</em> start, so a stall is charged to every call it
 *       delayed (no coordinated omission).
 * </ul>
 *
 * A warm-up runs the same load first and is not recorded; CPU is sampled at the start and the end
 * of the recorded window.
 */
final class Load {

  /** Starts call number {@code n}; the future completes with its answer or its error. */
  @FunctionalInterface
  interface Call {
    ListenableFuture<?> start(long n);
  }

  /** What one recorded window gave. */
  record Outcome(
      long ok,
      Map<String, Long> errors,
      Histogram latencyMicros,
      double seconds,
      ProcessCpu.Sample cpu) {

    double okPerSecond() {
      return ok / seconds;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double percentileMillis(double p) {
      return latencyMicros.getTotalCount() == 0
          ? 0
          : latencyMicros.getValueAtPercentile(p) / 1000.0;
    }

    /** CPU milliseconds of the system under test per successful call. */
    double cpuMillisPerCall() {
      return ok == 0 ? 0 : cpu.systemUnderTest() / ok;
    }
  }

  private Load() {}

  /** N in flight for warm-up + run; records the run. */
  static Outcome closed(int inFlight, Duration warmup, Duration run, long meshPid, Call call)
      throws InterruptedException {
    Window window = new Window(warmup, run);
    AtomicLong seq = new AtomicLong();
    CountDownLatch chains = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      new Chain(window, seq, call, chains).fire();
    }
    ProcessCpu.Sample cpu = window.sampleCpu(meshPid);
    if (!chains.await(run.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still unanswered 2 minutes after the row ended");
    }
    return window.outcome(cpu);
  }

  /**
   * Calls start at {@code perSecond} for warm-up + run, at most {@code maxOutstanding} at once
   * (beyond that a call is not sent and counts as the error {@code DRIVER_OVERLOAD}: the system has
   * fallen so far behind that the row is over its capacity).
   */
  static Outcome open(
      double perSecond, Duration warmup, Duration run, long meshPid, int maxOutstanding, Call call)
      throws InterruptedException {
    Window window = new Window(warmup, run);
    long period = (long) (1e9 / perSecond);
    AtomicLong outstanding = new AtomicLong();
    Thread pacer =
        Thread.ofPlatform()
            .name("open-loop")
            .start(
                () -> {
                  for (long n = 0; ; n++) {
                    long intended = window.begin + n * period;
                    if (intended >= window.end) {
                      return;
                    }
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                      LockSupport.parkNanos(wait);
                    }
                    if (outstanding.get() >= maxOutstanding) {
                      window.error(intended, "DRIVER_OVERLOAD");
                      continue;
                    }
                    outstanding.incrementAndGet();
                    ListenableFuture<?> future;
                    try {
                      future = call.start(n);
                    } catch (RuntimeException e) {
                      outstanding.decrementAndGet();
                      window.error(intended, Status.fromThrowable(e).getCode().name());
                      continue;
                    }
                    Futures.addCallback(
                        future,
                        new FutureCallback<Object>() {
                          @Override
                          public void onSuccess(Object result) {
                            outstanding.decrementAndGet();
                            window.ok(intended, System.nanoTime());
                          }

                          @Override
                          public void onFailure(Throwable t) {
                            outstanding.decrementAndGet();
                            window.error(intended, Status.fromThrowable(t).getCode().name());
                          }
                        },
                        MoreExecutors.directExecutor());
                  }
                });
    ProcessCpu.Sample cpu = window.sampleCpu(meshPid);
    pacer.join();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (outstanding.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return window.outcome(cpu);
  }

  /** The recorded window and what landed in it, by intended (open) or actual (closed) start. */
  private static final class Window {
    final long begin = System.nanoTime();
    final long start;
    final long end;
    final Recorder latency = new Recorder(3);
    final LongAdder ok = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    Window(Duration warmup, Duration run) {
      start = begin + warmup.toNanos();
      end = start + run.toNanos();
    }

    boolean recorded(long startedAt) {
      return startedAt >= start && startedAt < end;
    }

    void ok(long startedAt, long answeredAt) {
      if (recorded(startedAt)) {
        ok.increment();
        latency.recordValue(Math.max(0, answeredAt - startedAt) / 1_000);
      }
    }

    void error(long startedAt, String code) {
      if (recorded(startedAt)) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
      }
    }

    /** Sleeps through the warm-up and the run, sampling CPU at both edges. */
    ProcessCpu.Sample sampleCpu(long meshPid) throws InterruptedException {
      sleepUntil(start);
      ProcessCpu.Sample first = ProcessCpu.sample(meshPid);
      latency.reset();
      sleepUntil(end);
      return ProcessCpu.sample(meshPid).minus(first);
    }

    Outcome outcome(ProcessCpu.Sample cpu) {
      Map<String, Long> counted = new TreeMap<>();
      errors.forEach((code, n) -> counted.put(code, n.sum()));
      return new Outcome(
          ok.sum(), counted, latency.getIntervalHistogram(), (end - start) / 1e9, cpu);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
      long wait;
      while ((wait = nanoTime - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  /** One of a closed loop's N: calls again as soon as answered, until the window ends. */
  private static final class Chain {
    private final Window window;
    private final AtomicLong seq;
    private final Call call;
    private final CountDownLatch done;

    Chain(Window window, AtomicLong seq, Call call, CountDownLatch done) {
      this.window = window;
      this.seq = seq;
      this.call = call;
      this.done = done;
    }

    /**
     * Starts calls until one is still in flight, whose answer starts the next: an answer that is
     * already there (a call that failed at once) loops here instead of recursing.
     */
    void fire() {
      while (true) {
        long startedAt = System.nanoTime();
        if (startedAt >= window.end) {
          done.countDown();
          return;
        }
        ListenableFuture<?> future;
        // Each call starts in the root context: fired from the previous call's callback, it would
        // otherwise start in that call's context, and the chain of contexts would grow by one per
        // call (gRPC logs "Context ancestry chain length is abnormally long" past 1,000).
        Context previous = Context.ROOT.attach();
        try {
          future = call.start(seq.getAndIncrement());
        } catch (RuntimeException e) {
          window.error(startedAt, Status.fromThrowable(e).getCode().name());
          continue;
        } finally {
          Context.ROOT.detach(previous);
        }
        if (future.isDone()) {
          settle(future, startedAt);
          continue;
        }
        future.addListener(
            () -> {
              settle(future, startedAt);
              fire();
            },
            MoreExecutors.directExecutor());
        return;
      }
    }

    private void settle(ListenableFuture<?> future, long startedAt) {
      try {
        Futures.getDone(future);
        window.ok(startedAt, System.nanoTime());
      } catch (java.util.concurrent.ExecutionException e) {
        window.error(startedAt, Status.fromThrowable(e.getCause()).getCode().name());
      } catch (RuntimeException e) {
        window.error(startedAt, Status.fromThrowable(e).getCode().name());
      }
    }
  }
}
