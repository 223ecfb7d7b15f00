package dev.lattice.platform.consumer;

import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.UnavailableException;
import java.time.Duration;
import java.util.Map;

/**
 * The JetStream API error codes {@link DeadLetters} tells apart, and the exceptions it raises for
 * an unknown dead letter and for NATS being unreachable. Stateless and thread-safe.
 */
final class DeadLetterErrors {

  static final int API_STREAM_NOT_FOUND = 10059;
  static final int API_STREAM_NAME_IN_USE = 10058;
  static final int API_CONSUMER_NOT_FOUND = 10014;
  static final int API_NO_MESSAGE_FOUND = 10037;
  static final int API_EXPECTED_STREAM_MISMATCH = 10060;

  private DeadLetterErrors() {}

  static NotFoundException notFound(String deadLetterId) {
    return new NotFoundException(
        DeadLetters.NOT_FOUND_REASON,
        "dead letter " + deadLetterId + " does not exist",
        Map.of("deadLetterId", String.valueOf(deadLetterId)));
  }

  static UnavailableException unavailable(Exception cause) {
    return new UnavailableException(
        DeadLetters.UNAVAILABLE_REASON,
        "the dead letter stream cannot be reached; retry later",
        Map.of(),
        Duration.ofSeconds(1),
        cause);
  }
}
