package dev.lattice.platform.outbox;

/**
 * Counts events over the last 60 seconds in one-second buckets (so the sum is exact to within the
 * current second). Thread-safe: methods are synchronized and O(60) at most.
 */
final class MinuteCounter {

  private static final int BUCKETS = 60;

  private final long[] counts = new long[BUCKETS];
  private final long[] seconds = new long[BUCKETS];

  /** Adds {@code n} at {@code nowMillis}. */
  synchronized void add(long nowMillis, long n) {
    long second = nowMillis / 1000;
    int i = (int) (second % BUCKETS);
    if (seconds[i] != second) {
      seconds[i] = second;
      counts[i] = 0;
    }
    counts[i] += n;
  }

  /** The sum over the 60 seconds up to and including {@code nowMillis}'s second. */
  synchronized long sum(long nowMillis) {
    long second = nowMillis / 1000;
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (second - seconds[i] < BUCKETS) {
        total += counts[i];
      }
    }
    return total;
  }
}
