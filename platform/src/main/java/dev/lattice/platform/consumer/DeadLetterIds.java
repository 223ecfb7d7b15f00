package dev.lattice.platform.consumer;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Dead letter ids: UUIDv7 values (as the contract asks) that encode where the dead letter is, so a
 * lookup by id is one stream read. The 48-bit timestamp is the failure time in milliseconds ({@link
 * DeadLetterHeaders#FAILED_AT}), {@code rand_a} is zero and the 62 bits of {@code rand_b} hold the
 * DEAD_LETTERS stream sequence. A lookup checks the stored failure time against the id, so a forged
 * or stale id (after the stream was recreated) does not resolve to another dead letter. Stateless.
 */
final class DeadLetterIds {

  private static final Pattern CANONICAL =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");
  private static final long SEQUENCE_MASK = 0x3FFF_FFFF_FFFF_FFFFL;
  private static final long MAX_MILLIS = (1L << 48) - 1;

  private DeadLetterIds() {}

  /** The id of the dead letter at {@code sequence} that failed at {@code failedAt}. */
  static UUID of(Instant failedAt, long sequence) {
    long millis = failedAt.toEpochMilli();
    if (millis < 0 || millis > MAX_MILLIS || sequence < 1 || sequence > SEQUENCE_MASK) {
      throw new IllegalArgumentException("out of range: " + failedAt + ", " + sequence);
    }
    long msb = (millis << 16) | 0x7000L;
    long lsb = Long.MIN_VALUE | sequence; // variant 0b10
    return new UUID(msb, lsb);
  }

  /** The parts of a canonical UUIDv7 string; empty when it is not one. */
  static Optional<Parts> parse(String id) {
    if (id == null || !CANONICAL.matcher(id).matches()) {
      return Optional.empty();
    }
    UUID uuid = UUID.fromString(id);
    long sequence = uuid.getLeastSignificantBits() & SEQUENCE_MASK;
    if (sequence < 1) {
      return Optional.empty();
    }
    return Optional.of(new Parts(uuid.getMostSignificantBits() >>> 16, sequence));
  }

  /** The decoded id: failure time in epoch milliseconds and DEAD_LETTERS sequence. */
  record Parts(long failedAtMillis, long sequence) {}
}
