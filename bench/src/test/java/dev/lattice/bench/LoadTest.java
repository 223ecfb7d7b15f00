package dev.lattice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The driver's two loops against a server of known capacity: one worker, 10 ms per call (100
 * calls/s). Offered 200 calls/s, an open loop must charge the queue to every call it delayed; a
 * closed loop of one caller sees the service time.
 */
class LoadTest {

  private static final long SELF = ProcessHandle.current().pid();

  @Test
  void openLoop_measuresFromTheIntendedStart_soAnOverloadShowsInTheLatency() throws Exception {
    try (ListeningExecutorService server =
        MoreExecutors.listeningDecorator(Executors.newSingleThreadExecutor())) {
      Load.Outcome o =
          Load.open(200, Duration.ZERO, Duration.ofSeconds(2), SELF, 10_000, n -> serve(server));
      // 400 calls offered in 2 s to a server that finishes ~200: the last ones waited ~2 s.
      assertThat(o.percentileMillis(99)).isGreaterThan(1_000);
      assertThat(o.ok()).isGreaterThanOrEqualTo(390);
    }
  }

  @Test
  void openLoop_belowCapacity_seesTheServiceTime() throws Exception {
    try (ListeningExecutorService server =
        MoreExecutors.listeningDecorator(Executors.newSingleThreadExecutor())) {
      Load.Outcome o =
          Load.open(20, Duration.ZERO, Duration.ofSeconds(2), SELF, 10_000, n -> serve(server));
      assertThat(o.percentileMillis(50)).isBetween(9.0, 100.0);
      assertThat(o.okPerSecond()).isBetween(15.0, 25.0);
    }
  }

  @Test
  void closedLoop_ofOneCaller_findsTheCapacity_andExcludesTheWarmUp() throws Exception {
    try (ListeningExecutorService server =
        MoreExecutors.listeningDecorator(Executors.newSingleThreadExecutor())) {
      Load.Outcome o =
          Load.closed(1, Duration.ofMillis(500), Duration.ofSeconds(2), SELF, n -> serve(server));
      assertThat(o.percentileMillis(50)).isBetween(9.0, 100.0);
      assertThat(o.okPerSecond()).isBetween(10.0, 101.0);
      assertThat(o.seconds()).isEqualTo(2.0);
    }
  }

  @Test
  void errors_areCountedByStatusCode() throws Exception {
    Load.Outcome o =
        Load.closed(
            2,
            Duration.ZERO,
            Duration.ofMillis(300),
            SELF,
            n ->
                com.google.common.util.concurrent.Futures.immediateFailedFuture(
                    io.grpc.Status.ABORTED.asRuntimeException()));
    assertThat(o.ok()).isZero();
    assertThat(o.errors()).containsOnlyKeys("ABORTED");
  }

  private static ListenableFuture<?> serve(ListeningExecutorService server) {
    return server.submit(
        () -> {
          Thread.sleep(10);
          return null;
        });
  }
}
