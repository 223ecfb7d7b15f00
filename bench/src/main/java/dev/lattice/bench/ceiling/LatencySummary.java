package dev.lattice.bench.ceiling;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in nanoseconds, in milliseconds.
 *
 * @param count values recorded
 * @param p50Millis the median
 * @param p99Millis the 99th percentile
 * @param maxMillis the largest value
 */
public record LatencySummary(long count, double p50Millis, double p99Millis, double maxMillis) {

  static LatencySummary of(Histogram nanos) {
    return new LatencySummary(
        nanos.getTotalCount(),
        nanos.getValueAtPercentile(50) / 1e6,
        nanos.getValueAtPercentile(99) / 1e6,
        nanos.getMaxValue() / 1e6);
  }
}
