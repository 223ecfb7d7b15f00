package dev.lattice.platform.outbox;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link OutboxRelay} behaves.
 *
 * <table>
 *   <caption>Outbox relay variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_POLL_INTERVAL}</td><td>500ms</td>
 *       <td>longest idle wait between two looks at the outbox; notifications usually come
 *       first</td></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_BATCH_SIZE}</td><td>256</td>
 *       <td>rows claimed per round, which is also the most publishes awaiting an ack,
 *       1–4096</td></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_ACK_TIMEOUT}</td><td>5s</td>
 *       <td>how long a round waits for JetStream acks before counting a publish as failed</td></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_RETRY_BACKOFF}</td><td>1s</td>
 *       <td>first delay before a row whose publish JetStream refused is tried again; doubles per
 *       attempt</td></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_RETRY_BACKOFF_MAX}</td><td>60s</td>
 *       <td>the longest such delay; keep it well under the stream's duplicate window, so a
 *       publish that was stored although its ack was lost is still recognised when retried</td></tr>
 *   <tr><td>{@code LATTICE_OUTBOX_INSTANCE_ID}</td><td>{@code host:pid}</td>
 *       <td>the relay's name in GetOutboxStatus, e.g. the pod name</td></tr>
 * </table>
 *
 * @param pollInterval idle wait between rounds when nothing notifies, positive
 * @param batchSize rows per round and publishes in flight, 1–4096
 * @param ackTimeout the wait for acks per round, positive
 * @param retryBackoff first per-row retry delay, positive
 * @param retryBackoffMax largest per-row retry delay, at least {@code retryBackoff}
 * @param instanceId the relay's name, non-blank
 */
public record OutboxRelayConfig(
    Duration pollInterval,
    int batchSize,
    Duration ackTimeout,
    Duration retryBackoff,
    Duration retryBackoffMax,
    String instanceId) {

  /** The default idle poll interval. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  /** The default batch size (and window of publishes in flight). */
  public static final int DEFAULT_BATCH_SIZE = 256;

  /** The default ack timeout. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(5);

  /** The default first retry delay. */
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

  /** The default longest retry delay. */
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(60);

  /** Checks the values. */
  public OutboxRelayConfig {
    requirePositive(pollInterval, "pollInterval");
    requirePositive(ackTimeout, "ackTimeout");
    requirePositive(retryBackoff, "retryBackoff");
    requirePositive(retryBackoffMax, "retryBackoffMax");
    Objects.requireNonNull(instanceId, "instanceId");
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize must be between 1 and 4096: " + batchSize);
    }
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException("retryBackoffMax must be at least retryBackoff");
    }
    if (instanceId.isBlank()) {
      throw new IllegalArgumentException("instanceId must not be blank");
    }
  }

  /** The defaults, with instance id {@code host:pid}. */
  public static OutboxRelayConfig defaults() {
    return new OutboxRelayConfig(
        DEFAULT_POLL_INTERVAL,
        DEFAULT_BATCH_SIZE,
        DEFAULT_ACK_TIMEOUT,
        DEFAULT_RETRY_BACKOFF,
        DEFAULT_RETRY_BACKOFF_MAX,
        defaultInstanceId());
  }

  /**
   * Reads the variables described above.
   *
   * @throws ConfigException naming the variable that is malformed or out of range
   */
  public static OutboxRelayConfig fromEnv(Env env) {
    try {
      return new OutboxRelayConfig(
          env.duration("LATTICE_OUTBOX_POLL_INTERVAL", DEFAULT_POLL_INTERVAL),
          env.integer("LATTICE_OUTBOX_BATCH_SIZE", DEFAULT_BATCH_SIZE, 1, 4096),
          env.duration("LATTICE_OUTBOX_ACK_TIMEOUT", DEFAULT_ACK_TIMEOUT),
          env.duration("LATTICE_OUTBOX_RETRY_BACKOFF", DEFAULT_RETRY_BACKOFF),
          env.duration("LATTICE_OUTBOX_RETRY_BACKOFF_MAX", DEFAULT_RETRY_BACKOFF_MAX),
          env.string("LATTICE_OUTBOX_INSTANCE_ID", defaultInstanceId()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("LATTICE_OUTBOX_*: " + e.getMessage(), e);
    }
  }

  /** A copy with another poll interval. */
  public OutboxRelayConfig withPollInterval(Duration value) {
    return new OutboxRelayConfig(
        value, batchSize, ackTimeout, retryBackoff, retryBackoffMax, instanceId);
  }

  /** A copy with another batch size. */
  public OutboxRelayConfig withBatchSize(int value) {
    return new OutboxRelayConfig(
        pollInterval, value, ackTimeout, retryBackoff, retryBackoffMax, instanceId);
  }

  /** A copy with another ack timeout. */
  public OutboxRelayConfig withAckTimeout(Duration value) {
    return new OutboxRelayConfig(
        pollInterval, batchSize, value, retryBackoff, retryBackoffMax, instanceId);
  }

  /** A copy with other retry delays. */
  public OutboxRelayConfig withRetryBackoff(Duration first, Duration max) {
    return new OutboxRelayConfig(pollInterval, batchSize, ackTimeout, first, max, instanceId);
  }

  /** A copy with another instance id. */
  public OutboxRelayConfig withInstanceId(String value) {
    return new OutboxRelayConfig(
        pollInterval, batchSize, ackTimeout, retryBackoff, retryBackoffMax, value);
  }

  /** {@code host:pid}: {@code $HOSTNAME} (as in a Kubernetes pod) or the local host name. */
  static String defaultInstanceId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host + ":" + ProcessHandle.current().pid();
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
