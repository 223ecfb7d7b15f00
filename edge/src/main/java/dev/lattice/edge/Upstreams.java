package dev.lattice.edge;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.grpc.StaticAddresses;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grpc-java channel per upstream service, by name ({@code inventory}). Channels connect lazily
 * and reconnect on their own; a call to an upstream that is down fails with {@code UNAVAILABLE}.
 * Plaintext: the edge and the services share one machine or one cluster network.
 *
 * <p>Thread-safe; {@link #close} shuts every channel down.
 */
final class Upstreams implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

  /** Largest upstream response message, as grpc-java's own default. */
  private static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

  private final Map<String, ManagedChannel> channels;

  private Upstreams(Map<String, ManagedChannel> channels) {
    this.channels = Map.copyOf(channels);
  }

  /**
   * Opens a channel for each of {@code needed}.
   *
   * @throws ConfigException if a needed upstream has no target
   */
  static Upstreams open(Set<String> needed, Map<String, String> targets) {
    Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    for (String name : needed) {
      String target = targets.get(name);
      if (target == null) {
        channels.values().forEach(ManagedChannel::shutdownNow);
        throw new ConfigException(
            EdgeConfig.targetVariable(name) + " must be set: the descriptor set has " + name);
      }
      ManagedChannelBuilder<?> builder =
          Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
              .userAgent("lattice-edge")
              .maxInboundMessageSize(MAX_RESPONSE_BYTES);
      if (StaticAddresses.isStatic(target)) {
        // Replicas: grpc-java's round_robin over those whose health says SERVING.
        builder.defaultServiceConfig(
            Map.of(
                "loadBalancingConfig",
                List.of(Map.of("round_robin", Map.of())),
                "healthCheckConfig",
                Map.of("serviceName", "")));
      }
      channels.put(name, builder.build());
    }
    return new Upstreams(channels);
  }

  /** The channel to the upstream called {@code name}, if there is one. */
  Optional<ManagedChannel> channel(String name) {
    return Optional.ofNullable(channels.get(name));
  }

  /** Every upstream name, sorted, for error messages. */
  Set<String> names() {
    return new TreeSet<>(channels.keySet());
  }

  /** Shuts all channels down, waiting up to {@code grace} for calls still running. */
  void close(Duration grace) {
    channels.values().forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Map.Entry<String, ManagedChannel> entry : channels.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!entry.getValue().awaitTermination(left, TimeUnit.NANOSECONDS)) {
          log.warn("channel to {} did not terminate in time; cancelling its calls", entry.getKey());
          entry.getValue().shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        entry.getValue().shutdownNow();
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
