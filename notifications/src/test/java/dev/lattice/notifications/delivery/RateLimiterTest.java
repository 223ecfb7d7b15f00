package dev.lattice.notifications.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final OffsetDateTime T0 =
      OffsetDateTime.of(2026, 12, 4, 12, 0, 0, 0, ZoneOffset.UTC);

  private static OffsetDateTime at(double seconds) {
    return T0.plusNanos((long) (seconds * 1e9));
  }

  @Test
  void newMessage_queuesBehindEveryWaitingMessage() {
    // Two attempts fill the window; two messages wait at 10 and 11.
    OffsetDateTime slot =
        RateLimiter.slot(List.of(at(0), at(1)), List.of(at(11), at(10)), false, 2, WINDOW);

    assertThat(slot).isEqualTo(at(20));
  }

  @Test
  void waitedMessage_doesNotTakeTheSlotAnotherWaitedMessageTookInTheSameWindow() {
    // Both attempts in the window started late; another waited message looked before this one and
    // took 10 (window after the oldest attempt). Counting the attempts alone gave 10 again, and one
    // of the two was deferred a third time when it came.
    OffsetDateTime slot = RateLimiter.slot(List.of(at(0), at(1)), List.of(at(10)), true, 2, WINDOW);

    assertThat(slot).isEqualTo(at(11));
  }

  @Test
  void waitedMessage_keepsItsPlaceAheadOfMessagesWaitingAfterIt() {
    // Messages behind it wait at 12 and 13: it goes at 10, not behind them.
    OffsetDateTime slot =
        RateLimiter.slot(List.of(at(0), at(1)), List.of(at(12), at(13)), true, 2, WINDOW);

    assertThat(slot).isEqualTo(at(10));
  }

  @Test
  void waitedMessage_takesInTheWaitingSlotsItsMovingSlotReaches() {
    // Each waiting slot its slot reaches moves it on: 10 → 11, 10.5 → 20, 11 → 20.5; 30 is after.
    OffsetDateTime slot =
        RateLimiter.slot(
            List.of(at(0), at(1)), List.of(at(10), at(10.5), at(11), at(30)), true, 2, WINDOW);

    assertThat(slot).isEqualTo(at(20.5));
  }
}
