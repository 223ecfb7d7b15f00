package dev.lattice.platform.grpc;

import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Client channels to other Lattice services (or any gRPC server), with the platform's rules for
 * outgoing calls:
 *
 * <ul>
 *   <li>every call has a deadline ({@link DefaultDeadlineInterceptor}, default 5 s);
 *   <li>calls are traced and measured, and carry {@code traceparent};
 *   <li>only methods declared idempotent (by hand, or by their contract's {@code
 *       idempotency_level}: {@link Builder#idempotentMethodsOf}) are retried, and only on {@code
 *       UNAVAILABLE}: at most 3 attempts, exponential backoff from 100 ms to 1 s (gRPC service
 *       config, with jitter); gRPC commits a call once response headers arrive and then never
 *       retries it, so a unary call cut off after its headers (a replica killed mid-answer) is
 *       replayed once more, as is one whose connection was found closed while its own frames were
 *       being written, which grpc-netty reports {@code UNKNOWN "channel closed"} ({@link
 *       ReplayCutOffCalls});
 *   <li>a target naming several replicas ({@link StaticAddresses}: {@code
 *       static:///host:port,host:port}) is balanced by grpc-java's own {@code round_robin}, which
 *       skips a replica whose health check ({@code grpc.health.v1.Health/Watch}, grpc-services'
 *       client side) does not say {@code SERVING}, such as one that has begun to drain; a call
 *       ending {@code UNAVAILABLE} makes the channel reconnect at once to replicas it had given up
 *       on for a while ({@link ReconnectOnUnavailable});
 *   <li>no TLS: traffic between services stays inside the cluster network (Envoy terminates TLS at
 *       the edge); pass your own {@link ManagedChannelBuilder} to change that.
 * </ul>
 *
 * <p>Channels are thread-safe and expensive: build one per target at startup, share it, and shut it
 * down on exit.
 */
public final class Channels {

  /** The default deadline of outgoing calls. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);

  /** Attempts, including the first, for a retried idempotent call. */
  public static final int MAX_ATTEMPTS = 3;

  private static final Pattern SERVICE = Pattern.compile("[A-Za-z_][\\w.]*\\.[A-Za-z_]\\w*");

  private Channels() {}

  /** A plaintext channel to {@code target} (such as {@code dns:///inventory:9090}); no retries. */
  public static ManagedChannel forTarget(String target, Telemetry telemetry) {
    return builder(target, telemetry).build();
  }

  /** A builder for a plaintext channel to {@code target}. */
  public static Builder builder(String target, Telemetry telemetry) {
    return new Builder(
        Grpc.newChannelBuilder(
            Objects.requireNonNull(target, "target"), InsecureChannelCredentials.create()),
        telemetry,
        StaticAddresses.isStatic(target));
  }

  /** A builder around {@code channelBuilder}, such as an in-process one in tests. */
  public static Builder builder(ManagedChannelBuilder<?> channelBuilder, Telemetry telemetry) {
    return new Builder(channelBuilder, telemetry, false);
  }

  /** Configures a channel; not thread-safe, use once. */
  public static final class Builder {

    private final ManagedChannelBuilder<?> channelBuilder;
    private final Telemetry telemetry;
    private final Set<String> idempotent = new LinkedHashSet<>();
    private final boolean balanced;
    private Duration defaultDeadline = DEFAULT_DEADLINE;

    private Builder(
        ManagedChannelBuilder<?> channelBuilder, Telemetry telemetry, boolean balanced) {
      this.channelBuilder = Objects.requireNonNull(channelBuilder, "channelBuilder");
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      this.balanced = balanced;
    }

    /**
     * Declares methods or whole services idempotent, so they are retried on {@code UNAVAILABLE}.
     *
     * @param names fully-qualified methods ({@code
     *     lattice.inventory.v1.InventoryService/GetProduct}) or services ({@code
     *     lattice.inventory.v1.InventoryService})
     * @throws IllegalArgumentException for a malformed name
     */
    public Builder idempotent(String... names) {
      for (String name : names) {
        String service = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        String method = name.contains("/") ? name.substring(name.indexOf('/') + 1) : "";
        if (!SERVICE.matcher(service).matches() || (name.contains("/") && method.isEmpty())) {
          throw new IllegalArgumentException("not a fully-qualified service or method: " + name);
        }
        idempotent.add(name);
      }
      return this;
    }

    /**
     * Declares idempotent every method of {@code service} that its contract marks so ({@code option
     * idempotency_level = NO_SIDE_EFFECTS} or {@code IDEMPOTENT}, which the generated method
     * descriptors carry as {@code isSafe()} / {@code isIdempotent()}), so that the retry policy
     * follows the contracts rather than a list kept by hand.
     */
    public Builder idempotentMethodsOf(ServiceDescriptor service) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        if (method.isSafe() || method.isIdempotent()) {
          idempotent.add(method.getFullMethodName());
        }
      }
      return this;
    }

    /** The deadline of calls that set none; default 5 s. */
    public Builder defaultDeadline(Duration deadline) {
      this.defaultDeadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    /** Builds the channel. */
    public ManagedChannel build() {
      // The last interceptor runs first: the deadline is set before the call is traced, and a
      // replayed call (ReplayCutOffCalls) is one traced call under one deadline.
      if (!idempotent.isEmpty()) {
        channelBuilder.intercept(new ReplayCutOffCalls(idempotent));
      }
      channelBuilder.intercept(
          telemetry.clientInterceptor(), new DefaultDeadlineInterceptor(defaultDeadline));
      if (!idempotent.isEmpty() || balanced) {
        channelBuilder.defaultServiceConfig(serviceConfig(idempotent, balanced));
      }
      if (!idempotent.isEmpty()) {
        channelBuilder.enableRetry().maxRetryAttempts(MAX_ATTEMPTS);
      }
      if (!balanced) {
        return channelBuilder.build();
      }
      ReconnectOnUnavailable reconnect = new ReconnectOnUnavailable();
      channelBuilder.intercept(reconnect);
      ManagedChannel channel = channelBuilder.build();
      reconnect.bind(channel);
      return channel;
    }
  }

  /**
   * The gRPC service config (JSON as maps; numbers must be doubles) retrying {@code names}, and
   * when {@code balanced} choosing {@code round_robin} over the replicas that report {@code
   * SERVING}.
   */
  static Map<String, Object> serviceConfig(Set<String> names, boolean balanced) {
    List<Object> selectors = new ArrayList<>();
    for (String name : names) {
      int slash = name.indexOf('/');
      selectors.add(
          slash < 0
              ? Map.of("service", name)
              : Map.of("service", name.substring(0, slash), "method", name.substring(slash + 1)));
    }
    Map<String, Object> retryPolicy =
        Map.of(
            "maxAttempts",
            (double) MAX_ATTEMPTS,
            "initialBackoff",
            "0.1s",
            "maxBackoff",
            "1s",
            "backoffMultiplier",
            2.0,
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    Map<String, Object> config = new LinkedHashMap<>();
    if (!selectors.isEmpty()) {
      config.put("methodConfig", List.of(Map.of("name", selectors, "retryPolicy", retryPolicy)));
    }
    if (balanced) {
      config.put("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
      // "" is the whole server's health, which turns NOT_SERVING as a drain begins.
      config.put("healthCheckConfig", Map.of("serviceName", ""));
    }
    return config;
  }
}
