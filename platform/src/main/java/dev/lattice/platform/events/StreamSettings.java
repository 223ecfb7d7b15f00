package dev.lattice.platform.events;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.Objects;

/**
 * The limits of an event stream, applied by {@link EventStreams}.
 *
 * <table>
 *   <caption>Stream variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_EVENTS_DUPLICATE_WINDOW}</td><td>2m</td>
 *       <td>how long JetStream remembers a {@code Nats-Msg-Id} to drop re-publishes</td></tr>
 *   <tr><td>{@code LATTICE_EVENTS_REPLICAS}</td><td>1</td>
 *       <td>stream replicas, 1–5 (3 in a production cluster)</td></tr>
 *   <tr><td>{@code LATTICE_EVENTS_MAX_AGE}</td><td>7d</td>
 *       <td>messages older than this are removed; 0 keeps them until {@code MAX_BYTES}</td></tr>
 *   <tr><td>{@code LATTICE_EVENTS_MAX_BYTES}</td><td>-1</td>
 *       <td>stream size limit in bytes; -1 for none. When reached the oldest messages go.</td></tr>
 * </table>
 *
 * <p>A consumer that falls further behind than {@code maxAge} loses the messages that expired: size
 * the age to the longest outage a consumer may have.
 *
 * @param duplicateWindow the deduplication window; positive, at most {@code maxAge} when that is
 *     set
 * @param replicas the number of replicas, 1–5
 * @param maxAge the message age limit; zero for none
 * @param maxBytes the size limit in bytes; -1 for none
 */
public record StreamSettings(
    Duration duplicateWindow, int replicas, Duration maxAge, long maxBytes) {

  /** The default duplicate window: 2 minutes. */
  public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);

  /** The default age limit: 7 days. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

  /** Checks the values. */
  public StreamSettings {
    Objects.requireNonNull(duplicateWindow, "duplicateWindow");
    Objects.requireNonNull(maxAge, "maxAge");
    if (duplicateWindow.isZero() || duplicateWindow.isNegative()) {
      throw new IllegalArgumentException("duplicateWindow must be positive");
    }
    if (replicas < 1 || replicas > 5) {
      throw new IllegalArgumentException("replicas must be between 1 and 5: " + replicas);
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must not be negative");
    }
    if (!maxAge.isZero() && duplicateWindow.compareTo(maxAge) > 0) {
      throw new IllegalArgumentException("duplicateWindow must not exceed maxAge");
    }
    if (maxBytes < -1 || maxBytes == 0) {
      throw new IllegalArgumentException("maxBytes must be positive or -1: " + maxBytes);
    }
  }

  /** The defaults: 2 min duplicate window, 1 replica, 7 days, no size limit. */
  public static StreamSettings defaults() {
    return new StreamSettings(DEFAULT_DUPLICATE_WINDOW, 1, DEFAULT_MAX_AGE, -1);
  }

  /**
   * Reads the variables described above.
   *
   * @throws ConfigException naming the variable that is malformed or inconsistent
   */
  public static StreamSettings fromEnv(Env env) {
    Duration window = env.duration("LATTICE_EVENTS_DUPLICATE_WINDOW", DEFAULT_DUPLICATE_WINDOW);
    int replicas = env.integer("LATTICE_EVENTS_REPLICAS", 1, 1, 5);
    Duration maxAge = env.duration("LATTICE_EVENTS_MAX_AGE", DEFAULT_MAX_AGE);
    long maxBytes = -1;
    String bytes = env.optional("LATTICE_EVENTS_MAX_BYTES").orElse("-1");
    try {
      maxBytes = Long.parseLong(bytes);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "LATTICE_EVENTS_MAX_BYTES must be an integer, got '" + bytes + "'", e);
    }
    try {
      return new StreamSettings(window, replicas, maxAge, maxBytes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("LATTICE_EVENTS_*: " + e.getMessage(), e);
    }
  }

  /** A copy with another duplicate window. */
  public StreamSettings withDuplicateWindow(Duration window) {
    return new StreamSettings(window, replicas, maxAge, maxBytes);
  }
}
