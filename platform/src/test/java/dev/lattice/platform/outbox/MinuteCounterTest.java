package dev.lattice.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MinuteCounterTest {

  @Test
  void sum_countsTheLastSixtySecondsOnly() {
    MinuteCounter counter = new MinuteCounter();
    long t0 = 1_000_000_000L;
    counter.add(t0, 5);
    counter.add(t0 + 30_000, 7);
    counter.add(t0 + 59_999, 1);

    assertThat(counter.sum(t0 + 59_999)).isEqualTo(13);
    assertThat(counter.sum(t0 + 60_000)).isEqualTo(8); // t0's second has left the window
    assertThat(counter.sum(t0 + 200_000)).isZero();
    counter.add(t0 + 120_000, 2); // reuses t0's bucket slot
    assertThat(counter.sum(t0 + 120_000)).isEqualTo(2);
  }
}
