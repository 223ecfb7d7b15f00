package dev.lattice.platform.events;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;

/**
 * Generates UUIDv7 identifiers (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then 12 bits
 * of counter, then 62 random bits; so ids sort by creation time and index well.
 *
 * <p>Within one generator ids are strictly increasing (RFC 9562 §6.2, method 1): in the same
 * millisecond the 12-bit counter, seeded randomly each new millisecond, is incremented; should it
 * overflow, or the clock step back, the timestamp field advances past the clock by a millisecond at
 * a time, so ordering never breaks. Across processes, 74 random bits per millisecond make
 * collisions negligible. Random bits come from {@link SecureRandom}.
 *
 * <p>Thread-safe: generation is synchronized (well under a microsecond).
 */
public final class UuidV7Generator {

  private static final long MAX_COUNTER = 0xFFF;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private long lastMillis = -1;
  private long counter;

  /** A generator on the system clock. */
  public UuidV7Generator() {
    this(Clock.systemUTC());
  }

  /** A generator on {@code clock}, for tests. */
  public UuidV7Generator(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The next id: greater than every id this generator returned before. */
  public UUID next() {
    long millis;
    long seq;
    synchronized (this) {
      long now = clock.millis();
      if (now > lastMillis) {
        lastMillis = now;
        counter = random.nextInt(1 << 11); // start in the lower half: room to count up
      } else if (++counter > MAX_COUNTER) {
        lastMillis++;
        counter = random.nextInt(1 << 11);
      }
      millis = lastMillis;
      seq = counter;
    }
    long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | seq;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** The Unix time in milliseconds encoded in a UUIDv7. */
  public static long timestampMillis(UUID uuid) {
    if (uuid.version() != 7) {
      throw new IllegalArgumentException("not a UUIDv7: " + uuid);
    }
    return uuid.getMostSignificantBits() >>> 16;
  }
}
