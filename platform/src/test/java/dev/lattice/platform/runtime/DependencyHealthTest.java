package dev.lattice.platform.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.lattice.platform.config.HealthConfig;
import dev.lattice.platform.runtime.DependencyHealth.Check;
import dev.lattice.platform.testsupport.CapturingAppender;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor's own rules, with probes whose outcome the test decides: a verdict only on change,
 * one log line per change, and a bound on every probe however it hangs.
 */
class DependencyHealthTest {

  private static final HealthConfig FAST =
      new HealthConfig(Duration.ofMillis(100), Duration.ofMillis(300));

  private final BlockingQueue<Optional<String>> verdicts = new LinkedBlockingQueue<>();
  private DependencyHealth monitor;

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  @Test
  void failingCheck_isReportedOnce_andServingOnceItPassesAgain() throws Exception {
    AtomicBoolean up = new AtomicBoolean(true);
    String service = "verdicts-" + System.nanoTime();
    monitor = start(service, new Check("database", "database unreachable", () -> require(up)));
    assertThat(verdicts.poll(500, TimeUnit.MILLISECONDS))
        .as("a healthy start says nothing")
        .isNull();

    up.set(false);
    assertThat(verdicts.poll(5, TimeUnit.SECONDS)).contains("database unreachable");
    assertThat(verdicts.poll(700, TimeUnit.MILLISECONDS)).as("no repeat while it fails").isNull();

    up.set(true);
    assertThat(verdicts.poll(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(verdicts.poll(700, TimeUnit.MILLISECONDS)).as("no repeat while it passes").isNull();

    assertThat(logLines(service))
        .containsExactly(
            service + " NOT_SERVING: database unreachable (database: down)",
            service + " SERVING again: every dependency answers");
  }

  @Test
  void severalFailing_reasonsJoinedInCheckOrder() throws Exception {
    AtomicBoolean up = new AtomicBoolean(false);
    monitor =
        start(
            "joined",
            new Check("database", "database unreachable", () -> require(up)),
            new Check("cache", "cache slow", () -> {}),
            new Check("NATS", "NATS disconnected", () -> require(up)));

    assertThat(verdicts.poll(5, TimeUnit.SECONDS))
        .contains("database unreachable; NATS disconnected");
  }

  /** A probe that ignores interrupts: failed at the timeout, and never run twice at once. */
  @Test
  void stuckProbe_failsAtTheTimeout_andIsNotStartedAgainWhileItRuns() throws Exception {
    AtomicBoolean stuck = new AtomicBoolean(true);
    AtomicInteger active = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    monitor =
        start(
            "stuck",
            new Check(
                "database",
                "database unreachable",
                () -> {
                  mostAtOnce.accumulateAndGet(active.incrementAndGet(), Math::max);
                  try {
                    while (stuck.get()) {
                      sleepThroughInterrupts(10);
                    }
                  } finally {
                    active.decrementAndGet();
                  }
                }));

    // The verdict comes while the probe is still stuck (it ends only below): the timeout, not the
    // probe, decided it. How soon after the timeout is the machine's business, not this test's.
    assertThat(verdicts.poll(5, TimeUnit.SECONDS)).contains("database unreachable");
    assertThat(active).as("the probe still runs").hasValue(1);
    Thread.sleep(1_000); // ten rounds while the first probe is still stuck
    assertThat(mostAtOnce).hasValue(1);

    stuck.set(false);
    assertThat(verdicts.poll(5, TimeUnit.SECONDS)).isEmpty();
  }

  /** A probe blocked in an interruptible call is interrupted at the timeout, freeing the check. */
  @Test
  void blockedProbe_isInterruptedAtTheTimeout_andTheNextRoundRunsAFreshOne() throws Exception {
    AtomicInteger interrupted = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    monitor =
        start(
            "blocked",
            new Check(
                "NATS",
                "NATS disconnected",
                () -> {
                  runs.incrementAndGet();
                  try {
                    Thread.sleep(60_000);
                  } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                  }
                }));

    assertThat(verdicts.poll(5, TimeUnit.SECONDS)).contains("NATS disconnected");
    Thread.sleep(1_500);
    assertThat(interrupted.get()).isGreaterThanOrEqualTo(2);
    assertThat(runs.get()).isGreaterThanOrEqualTo(3);
  }

  /**
   * A probe whose thread had not begun when the round gave up on it (a starved CPU) is never run;
   * the next round starts a fresh one instead of waiting forever for it to return.
   */
  @Test
  void probeCancelledBeforeItBegan_doesNotKeepTheCheckTaken() throws Exception {
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    CountDownLatch starved = new CountDownLatch(1);
    oneThread.execute(
        () -> {
          try {
            starved.await(); // holds the only thread: the first probe waits in the queue
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    AtomicInteger runs = new AtomicInteger();
    try {
      monitor =
          DependencyHealth.start(
              "starved",
              FAST,
              List.of(new Check("database", "database unreachable", runs::incrementAndGet)),
              verdicts::add,
              oneThread);
      assertThat(verdicts.poll(5, TimeUnit.SECONDS)).contains("database unreachable");
      starved.countDown();

      assertThat(verdicts.poll(5, TimeUnit.SECONDS)).as("SERVING again").isEmpty();
      assertThat(runs.get()).isPositive();
    } finally {
      starved.countDown();
      monitor.close();
      oneThread.shutdownNow();
    }
  }

  @Test
  void close_interruptsTheRunningProbe_andReportsNothingMore() throws Exception {
    AtomicBoolean up = new AtomicBoolean(true);
    AtomicInteger interrupted = new AtomicInteger();
    monitor =
        start(
            "closing",
            new Check(
                "database",
                "database unreachable",
                () -> {
                  if (up.get()) {
                    return;
                  }
                  try {
                    Thread.sleep(60_000);
                  } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                  }
                }));
    Thread.sleep(300);
    up.set(false);
    Thread.sleep(150); // a probe is now blocked, before its timeout

    long closing = System.nanoTime();
    monitor.close();

    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(2));
    assertThat(interrupted.get()).isEqualTo(1);
    assertThat(verdicts.poll(1, TimeUnit.SECONDS)).isNull();
  }

  private DependencyHealth start(String service, Check... checks) {
    return DependencyHealth.start(service, FAST, List.of(checks), verdicts::add);
  }

  private static void require(AtomicBoolean up) {
    if (!up.get()) {
      throw new IllegalStateException("down");
    }
  }

  private static void sleepThroughInterrupts(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // this probe is stuck: it ignores interrupts, as a driver blocked in native code might
    }
  }

  private static List<String> logLines(String service) {
    return CapturingAppender.events().stream()
        .filter(e -> e.getLoggerName().equals(DependencyHealth.class.getName()))
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith(service + " "))
        .toList();
  }
}
