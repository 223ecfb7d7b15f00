package dev.lattice.edge;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code grpc-timeout} request header: at most 8 digits and a unit ({@code H}ours, {@code
 * M}inutes, {@code S}econds, {@code m}illis, {@code u}micros, {@code n}anos), per the gRPC over
 * HTTP/2 protocol.
 */
final class GrpcTimeout {

  private static final Pattern VALUE = Pattern.compile("([0-9]{1,8})([HMSmun])");

  private GrpcTimeout() {}

  /** The timeout {@code value} states, empty if it is absent or malformed (then it is ignored). */
  static Optional<Duration> parse(@Nullable String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = VALUE.matcher(value.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "H" -> Duration.ofHours(amount);
          case "M" -> Duration.ofMinutes(amount);
          case "S" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMillis(amount);
          case "u" -> Duration.ofNanos(amount * 1_000);
          default -> Duration.ofNanos(amount);
        });
  }
}
