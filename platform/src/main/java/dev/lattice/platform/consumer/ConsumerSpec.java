package dev.lattice.platform.consumer;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of one durable JetStream pull consumer run by an {@link EventConsumer}.
 *
 * <p>Redelivery policy. A transiently failed delivery {@code n} (1-based) is negatively
 * acknowledged with a delay of {@link #backoffAfter(long) backoff[min(n, size) - 1]}; a delivery
 * that is neither acknowledged nor rejected (the process died, the handler hung) comes back after
 * {@link #ackWait()}. Delivery {@link #maxDeliver()} is the last: if it fails transiently the
 * message is dead-lettered. The backoff list is applied by the client through {@code nakWithDelay}
 * rather than the consumer's server-side {@code backoff}: nats-server (checked on 2.9.10) replaces
 * {@code ack_wait} with {@code backoff[0]} when a backoff list is set, which would turn a 1 s first
 * backoff into a 1 s ack wait for every healthy handler.
 *
 * <p>Immutable and thread-safe.
 *
 * @param service the consuming service, e.g. {@code inventory}; names its dead letters' subject
 *     {@code lattice.dead_letters.<service>.<durableName>}
 * @param durableName the durable consumer name, unique per stream, e.g. {@code
 *     inventory-order-created}; also the inbox key ({@code processed_events.consumer})
 * @param stream the source stream, e.g. {@code ORDERS}
 * @param filterSubjects the subjects consumed, e.g. {@code lattice.orders.order_created}; more than
 *     one needs nats-server 2.10+
 * @param maxDeliver the most deliveries of one message, including the first; at least 1
 * @param backoff the delays before redelivering a transiently failed message: entry {@code i} after
 *     failed delivery {@code i + 1}, the last entry for every later one; empty means at once
 * @param ackWait how long a delivery may stay unacknowledged before the server redelivers it; the
 *     consumer sends in-progress acks every third of it while a handler runs; at least 1 s
 * @param batchSize how many messages one pull asks for; at least 1
 * @param fetchExpires how long one pull waits for messages before it is renewed; at least 1 s. The
 *     server sends an idle heartbeat every {@link #idleHeartbeat()} during the pull
 */
public record ConsumerSpec(
    String service,
    String durableName,
    String stream,
    List<String> filterSubjects,
    int maxDeliver,
    List<Duration> backoff,
    Duration ackWait,
    int batchSize,
    Duration fetchExpires) {

  /** The default of {@link #maxDeliver()}. */
  public static final int DEFAULT_MAX_DELIVER = 5;

  /** The default of {@link #backoff()}: 1 s, 5 s, 30 s, 2 min. */
  public static final List<Duration> DEFAULT_BACKOFF =
      List.of(
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2));

  /** The default of {@link #ackWait()}. */
  public static final Duration DEFAULT_ACK_WAIT = Duration.ofSeconds(30);

  /** The default of {@link #batchSize()}. */
  public static final int DEFAULT_BATCH_SIZE = 10;

  /** The default of {@link #fetchExpires()}. */
  public static final Duration DEFAULT_FETCH_EXPIRES = Duration.ofSeconds(5);

  private static final Pattern SERVICE = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  // NATS names: no whitespace, '.', '*', '>', path separators.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final Pattern SUBJECT =
      Pattern.compile("([A-Za-z0-9_*-]+)(\\.[A-Za-z0-9_*-]+)*(\\.>)?|>");
  private static final Duration MIN_ACK_WAIT = Duration.ofSeconds(1);
  private static final Duration MIN_FETCH_EXPIRES = Duration.ofSeconds(1);
  private static final Duration MAX_IDLE_HEARTBEAT = Duration.ofSeconds(30);

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if a value is out of range or a name is not a valid NATS name
   */
  public ConsumerSpec {
    require(SERVICE, service, "service");
    require(NAME, durableName, "durableName");
    require(NAME, stream, "stream");
    filterSubjects = List.copyOf(Objects.requireNonNull(filterSubjects, "filterSubjects"));
    if (filterSubjects.isEmpty()) {
      throw new IllegalArgumentException("at least one filter subject is required");
    }
    filterSubjects.forEach(subject -> require(SUBJECT, subject, "filter subject"));
    if (maxDeliver < 1) {
      throw new IllegalArgumentException("maxDeliver must be at least 1: " + maxDeliver);
    }
    backoff = List.copyOf(Objects.requireNonNull(backoff, "backoff"));
    for (Duration delay : backoff) {
      if (delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException("backoff entries must be positive: " + backoff);
      }
    }
    if (Objects.requireNonNull(ackWait, "ackWait").compareTo(MIN_ACK_WAIT) < 0) {
      throw new IllegalArgumentException("ackWait must be at least 1s: " + ackWait);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    if (Objects.requireNonNull(fetchExpires, "fetchExpires").compareTo(MIN_FETCH_EXPIRES) < 0) {
      throw new IllegalArgumentException("fetchExpires must be at least 1s: " + fetchExpires);
    }
  }

  /** A spec with every default: 5 deliveries, backoff 1 s/5 s/30 s/2 min, ack wait 30 s, ... */
  public static ConsumerSpec of(
      String service, String durableName, String stream, String... filterSubjects) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        List.of(filterSubjects),
        DEFAULT_MAX_DELIVER,
        DEFAULT_BACKOFF,
        DEFAULT_ACK_WAIT,
        DEFAULT_BATCH_SIZE,
        DEFAULT_FETCH_EXPIRES);
  }

  /** This spec with another {@link #maxDeliver()}. */
  public ConsumerSpec withMaxDeliver(int maxDeliver) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        filterSubjects,
        maxDeliver,
        backoff,
        ackWait,
        batchSize,
        fetchExpires);
  }

  /** This spec with another {@link #backoff()}. */
  public ConsumerSpec withBackoff(List<Duration> backoff) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        filterSubjects,
        maxDeliver,
        backoff,
        ackWait,
        batchSize,
        fetchExpires);
  }

  /** This spec with another {@link #ackWait()}. */
  public ConsumerSpec withAckWait(Duration ackWait) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        filterSubjects,
        maxDeliver,
        backoff,
        ackWait,
        batchSize,
        fetchExpires);
  }

  /** This spec with another {@link #batchSize()}. */
  public ConsumerSpec withBatchSize(int batchSize) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        filterSubjects,
        maxDeliver,
        backoff,
        ackWait,
        batchSize,
        fetchExpires);
  }

  /** This spec with another {@link #fetchExpires()}. */
  public ConsumerSpec withFetchExpires(Duration fetchExpires) {
    return new ConsumerSpec(
        service,
        durableName,
        stream,
        filterSubjects,
        maxDeliver,
        backoff,
        ackWait,
        batchSize,
        fetchExpires);
  }

  /**
   * The idle heartbeat the server sends during a pull: half of {@link #fetchExpires()}, at most 30
   * s (the jnats fetch API derives it so). Two missed heartbeats end the pull early and the
   * consumer pulls again, which is how it notices a restarted server before the pull expires.
   */
  public Duration idleHeartbeat() {
    Duration half = fetchExpires.dividedBy(2);
    return half.compareTo(MAX_IDLE_HEARTBEAT) > 0 ? MAX_IDLE_HEARTBEAT : half;
  }

  /**
   * How long to wait before redelivering a message whose delivery number {@code deliveryCount}
   * (1-based) failed transiently; zero when {@link #backoff()} is empty.
   */
  public Duration backoffAfter(long deliveryCount) {
    if (backoff.isEmpty()) {
      return Duration.ZERO;
    }
    long index = Math.min(Math.max(deliveryCount, 1), backoff.size()) - 1;
    return backoff.get((int) index);
  }

  /** The interval of in-progress acks while a handler runs: a third of {@link #ackWait()}. */
  public Duration inProgressInterval() {
    return ackWait.dividedBy(3);
  }

  private static void require(Pattern pattern, String value, String what) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + ": " + value);
    }
  }
}
