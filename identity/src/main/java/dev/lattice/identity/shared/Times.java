package dev.lattice.identity.shared;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The two forms identity gives a moment: a UTC {@link OffsetDateTime} for its columns and a
 * protobuf {@link Timestamp} for its messages. Stateless and thread-safe.
 */
public final class Times {

  private Times() {}

  /** {@code instant} in UTC, the form of identity's {@code timestamptz} columns. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(Instant time) {
    return Timestamp.newBuilder()
        .setSeconds(time.getEpochSecond())
        .setNanos(time.getNano())
        .build();
  }
}
