package dev.lattice.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The echo ceiling end to end: a child JVM serves, this one calls. */
class EchoCeilingIT {

  @Test
  void measure_callsTheChildServer_andReportsRateAndPercentiles() throws InterruptedException {
    EchoCeiling.Settings settings =
        EchoCeiling.Settings.createOrderSized(Duration.ofMillis(500), Duration.ofSeconds(1))
            .withInFlight(8)
            .withChannels(2);

    EchoCeiling.Result result = EchoCeiling.measure(settings);

    assertThat(result.callsPerSecond()).isPositive();
    assertThat(result.latency().count()).isPositive();
    assertThat(result.latency().p50Millis()).isPositive();
    assertThat(result.latency().p99Millis()).isGreaterThanOrEqualTo(result.latency().p50Millis());
  }
}
