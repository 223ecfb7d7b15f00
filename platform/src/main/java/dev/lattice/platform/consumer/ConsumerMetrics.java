package dev.lattice.platform.consumer;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;

/**
 * The consumer's metrics, every one with attribute {@code messaging.consumer.group.name} (the
 * durable name):
 *
 * <ul>
 *   <li>{@code lattice.consumer.processed} (counter): messages finished successfully, attribute
 *       {@code lattice.outcome} = {@code handled} (the handler ran and committed) or {@code
 *       duplicate} (already in the inbox: no effect);
 *   <li>{@code lattice.consumer.redeliveries} (counter): deliveries after the first;
 *   <li>{@code lattice.consumer.dead_letters} (counter): messages dead-lettered, attribute {@code
 *       lattice.reason};
 *   <li>{@code lattice.consumer.handler.duration} (histogram, seconds): time of the inbox
 *       transaction including the handler, attribute {@code lattice.outcome} = {@code handled},
 *       {@code duplicate}, {@code transient_failure} or {@code permanent_failure}.
 * </ul>
 *
 * Thread-safe.
 */
final class ConsumerMetrics {

  static final AttributeKey<String> CONSUMER =
      AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("lattice.outcome");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("lattice.reason");

  private static final List<Double> DURATION_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

  private final String consumer;
  private final Attributes base;
  private final LongCounter processed;
  private final LongCounter redeliveries;
  private final LongCounter deadLetters;
  private final DoubleHistogram duration;

  ConsumerMetrics(Meter meter, String consumer) {
    this.consumer = consumer;
    this.base = Attributes.of(CONSUMER, consumer);
    this.processed =
        meter
            .counterBuilder("lattice.consumer.processed")
            .setDescription("Events a consumer finished successfully")
            .setUnit("{event}")
            .build();
    this.redeliveries =
        meter
            .counterBuilder("lattice.consumer.redeliveries")
            .setDescription("Deliveries of an event after its first")
            .setUnit("{delivery}")
            .build();
    this.deadLetters =
        meter
            .counterBuilder("lattice.consumer.dead_letters")
            .setDescription("Events a consumer dead-lettered")
            .setUnit("{event}")
            .build();
    this.duration =
        meter
            .histogramBuilder("lattice.consumer.handler.duration")
            .setDescription("Duration of the inbox transaction including the handler")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
  }

  void processed(String outcome) {
    processed.add(1, Attributes.of(CONSUMER, consumer, OUTCOME, outcome));
  }

  void redelivered() {
    redeliveries.add(1, base);
  }

  void deadLettered(DeadLetterCause cause) {
    deadLetters.add(1, Attributes.of(CONSUMER, consumer, REASON, cause.name()));
  }

  void handlerDuration(long nanos, String outcome) {
    duration.record(nanos / 1e9, Attributes.of(CONSUMER, consumer, OUTCOME, outcome));
  }
}
