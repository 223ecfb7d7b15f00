package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class UuidV7GeneratorTest {

  @Test
  void next_hasVersion7TheRfcVariantAndTheClockTime() {
    Instant now = Instant.parse("2026-11-23T02:11:40.123Z");
    UUID id = new UuidV7Generator(Clock.fixed(now, ZoneOffset.UTC)).next();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(UuidV7Generator.timestampMillis(id)).isEqualTo(now.toEpochMilli());
  }

  @Test
  void next_withinOneMillisecond_strictlyIncreasesEvenPastTheCounter() {
    // A frozen clock forces the counter to overflow several times (4096 values per millisecond).
    UuidV7Generator ids =
        new UuidV7Generator(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    List<UUID> generated = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      generated.add(ids.next());
    }
    for (int i = 1; i < generated.size(); i++) {
      assertThat(compareUnsigned(generated.get(i - 1), generated.get(i))).isNegative();
    }
  }

  @Test
  void next_fromManyThreads_isUnique() throws InterruptedException {
    UuidV7Generator ids = new UuidV7Generator();
    ConcurrentLinkedQueue<UUID> all = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 10_000; i++) {
                      all.add(ids.next());
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(new HashSet<>(all)).hasSize(80_000);
  }

  /** UUIDv7s sort by their unsigned big-endian bytes (UUID.compareTo is signed). */
  private static int compareUnsigned(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0
        ? high
        : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}
