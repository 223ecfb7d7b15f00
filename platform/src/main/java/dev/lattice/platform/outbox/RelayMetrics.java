package dev.lattice.platform.outbox;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The relay's OpenTelemetry instruments (scope {@value #SCOPE}):
 *
 * <ul>
 *   <li>{@code lattice.outbox.backlog} (gauge, {event}): rows pending in the outbox;
 *   <li>{@code lattice.outbox.oldest_pending_age} (gauge, s): age of the oldest pending row;
 *   <li>{@code lattice.outbox.publish.duration} (histogram, s): publish call to JetStream ack;
 *   <li>{@code lattice.outbox.lag} (histogram, s): row written (start of the writing transaction)
 *       to JetStream ack;
 *   <li>{@code lattice.outbox.published} (counter, {event}): rows acknowledged and removed;
 *   <li>{@code lattice.outbox.publish.failures} (counter, {event}): failed publishes, attribute
 *       {@code reason} = {@code disconnected}, {@code timeout} or {@code rejected}.
 * </ul>
 *
 * The gauges report the figures of the relay's last outbox summary (refreshed every couple of
 * seconds), the age moving with the clock in between. Thread-safe.
 */
final class RelayMetrics implements AutoCloseable {

  static final String SCOPE = "dev.lattice.platform.outbox";

  private static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  /** The last summary: pending rows and the oldest one's create time (null when none). */
  private record Backlog(long pending, Instant oldest) {}

  private final AtomicReference<Backlog> backlog = new AtomicReference<>(new Backlog(0, null));
  private final LongCounter published;
  private final LongCounter failures;
  private final DoubleHistogram publishDuration;
  private final DoubleHistogram lag;
  private final ObservableLongGauge backlogGauge;
  private final ObservableDoubleGauge ageGauge;

  RelayMetrics(Meter meter) {
    published =
        meter
            .counterBuilder("lattice.outbox.published")
            .setUnit("{event}")
            .setDescription("Outbox rows acknowledged by JetStream and removed")
            .build();
    failures =
        meter
            .counterBuilder("lattice.outbox.publish.failures")
            .setUnit("{event}")
            .setDescription("Outbox publishes that failed and will be retried")
            .build();
    publishDuration =
        meter
            .histogramBuilder("lattice.outbox.publish.duration")
            .setUnit("s")
            .setDescription("Time from publishing an outbox row to its JetStream ack")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
            .build();
    lag =
        meter
            .histogramBuilder("lattice.outbox.lag")
            .setUnit("s")
            .setDescription("Time from writing an outbox row to its JetStream ack")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                    300.0))
            .build();
    backlogGauge =
        meter
            .gaugeBuilder("lattice.outbox.backlog")
            .ofLongs()
            .setUnit("{event}")
            .setDescription("Outbox rows not yet acknowledged by JetStream")
            .buildWithCallback(m -> m.record(backlog.get().pending()));
    ageGauge =
        meter
            .gaugeBuilder("lattice.outbox.oldest_pending_age")
            .setUnit("s")
            .setDescription("Age of the oldest outbox row not yet acknowledged by JetStream")
            .buildWithCallback(
                m -> {
                  Instant oldest = backlog.get().oldest();
                  m.record(
                      oldest == null
                          ? 0
                          : Math.max(
                              0, (System.currentTimeMillis() - oldest.toEpochMilli()) / 1000.0));
                });
  }

  void backlog(long pending, Instant oldest) {
    backlog.set(new Backlog(pending, oldest));
  }

  void published(long n) {
    published.add(n);
  }

  void failed(long n, String reason) {
    failures.add(n, Attributes.of(REASON, reason));
  }

  void publishDuration(double seconds) {
    publishDuration.record(seconds);
  }

  void lag(double seconds) {
    lag.record(seconds);
  }

  @Override
  public void close() {
    backlogGauge.close();
    ageGauge.close();
  }
}
