package dev.lattice.platform.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;

class BackoffTest {

  final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  @RepeatedTest(20)
  void after_doublesPerAttempt_withJitter_andIsCapped() {
    assertThat(backoff.after(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(backoff.after(3)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(backoff.after(40)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
  }
}
