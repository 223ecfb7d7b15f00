package dev.lattice.examples.client;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServiceDescriptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Channels to Lattice services with the calling rules of every Lattice client:
 *
 * <ul>
 *   <li>every call has a deadline, {@link #DEFAULT_DEADLINE} unless the caller sets one;
 *   <li>gRPC's own retry (service config): only {@code UNAVAILABLE}, only the methods whose
 *       contract says {@code idempotency_level = NO_SIDE_EFFECTS} or {@code IDEMPOTENT} (read from
 *       the generated descriptors), at most {@link #MAX_ATTEMPTS} attempts, backoff from 100 ms to
 *       2 s (multiplier 2, with gRPC's jitter), and the server's {@code grpc-retry-pushback-ms}
 *       honoured. Repeated attempts carry {@code grpc-previous-rpc-attempts}.
 * </ul>
 *
 * <p>grpc-java (gRFC A6 pushback, its {@code RetriableStream}) retries a method with a retry policy
 * whenever the server sends a non-negative {@code grpc-retry-pushback-ms}, whatever the code; a
 * client interceptor cannot change that, the retry runs below it. Lattice therefore sends the
 * pushback only with {@code UNAVAILABLE} (its other errors with {@code RetryInfo}, such as {@code
 * RESOURCE_EXHAUSTED} or {@code ABORTED IDEMPOTENCY_KEY_IN_USE}, carry no pushback), so "only
 * {@code UNAVAILABLE}" holds against Lattice servers; a test pins grpc-java's behaviour.
 *
 * <p>A channel is thread-safe and expensive: build one per target, share it, and shut it down on
 * exit. Credentials are per call ({@link Session#attach}), so one channel serves every user.
 */
public final class LatticeChannels {

  /** The deadline of calls that set none. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  /** Attempts of a retried call, the first included. */
  public static final int MAX_ATTEMPTS = 5;

  /** Every generated Lattice service; their methods' options decide what is retried. */
  public static final List<ServiceDescriptor> SERVICES =
      List.of(
          IdentityServiceGrpc.getServiceDescriptor(),
          OrdersServiceGrpc.getServiceDescriptor(),
          InventoryServiceGrpc.getServiceDescriptor(),
          PaymentsServiceGrpc.getServiceDescriptor(),
          NotificationsServiceGrpc.getServiceDescriptor(),
          AuditServiceGrpc.getServiceDescriptor(),
          OperationsServiceGrpc.getServiceDescriptor());

  private LatticeChannels() {}

  /** A TLS channel to {@code target} ({@code host:port}), trusting the JDK's root certificates. */
  public static ManagedChannel tls(String target) {
    return configure(Grpc.newChannelBuilder(target, TlsChannelCredentials.create())).build();
  }

  /**
   * A plaintext channel to {@code target}, for a network you trust (inside the mesh, behind the
   * TLS-terminating edge, or on loopback). Bearer tokens travel in clear on it: {@link
   * BearerCredentials} refuse to send a token over a connection without privacy, except on the
   * channels this method builds, which declare the choice on each call.
   */
  public static ManagedChannel plaintext(String target) {
    return configure(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()))
        .intercept(acceptPlaintextTokens())
        .build();
  }

  /**
   * Adds the deadline, the retry service config and {@code enableRetry()} to a builder of your own
   * (another transport, an in-process channel in tests, your own TLS settings).
   */
  public static <B extends ManagedChannelBuilder<?>> B configure(B builder) {
    builder
        .intercept(defaultDeadline(DEFAULT_DEADLINE))
        .defaultServiceConfig(retryServiceConfig(SERVICES))
        .maxRetryAttempts(MAX_ATTEMPTS)
        .enableRetry();
    return builder;
  }

  /** Gives every call without a deadline one of {@code deadline}. */
  public static ClientInterceptor defaultDeadline(Duration deadline) {
    long nanos = deadline.toNanos();
    return new ClientInterceptor() {
      @Override
      public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(
          io.grpc.MethodDescriptor<Q, R> method, CallOptions options, io.grpc.Channel next) {
        return next.newCall(
            method,
            options.getDeadline() == null
                ? options.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS)
                : options);
      }
    };
  }

  /**
   * The methods the contracts mark {@code NO_SIDE_EFFECTS} (reads) or {@code IDEMPOTENT} (writes
   * with an idempotency key), as {@code package.Service/Method}.
   */
  public static Set<String> retryableMethods(List<ServiceDescriptor> services) {
    Set<String> methods = new LinkedHashSet<>();
    for (ServiceDescriptor service : services) {
      var proto =
          ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor()).getServiceDescriptor();
      for (MethodDescriptor method : proto.getMethods()) {
        IdempotencyLevel level = method.getOptions().getIdempotencyLevel();
        if (level == IdempotencyLevel.NO_SIDE_EFFECTS || level == IdempotencyLevel.IDEMPOTENT) {
          methods.add(proto.getFullName() + "/" + method.getName());
        }
      }
    }
    return methods;
  }

  /**
   * The gRPC service config (JSON as Java maps and lists; numbers are doubles, as grpc-java
   * requires) retrying {@link #retryableMethods} of {@code services}.
   */
  public static Map<String, Object> retryServiceConfig(List<ServiceDescriptor> services) {
    List<Object> names = new ArrayList<>();
    for (String method : retryableMethods(services)) {
      int slash = method.indexOf('/');
      names.add(
          Map.of("service", method.substring(0, slash), "method", method.substring(slash + 1)));
    }
    Map<String, Object> retryPolicy =
        Map.of(
            "maxAttempts",
            (double) MAX_ATTEMPTS,
            "initialBackoff",
            "0.1s",
            "maxBackoff",
            "2s",
            "backoffMultiplier",
            2.0,
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", retryPolicy)));
  }

  /** Marks every call as made on a channel whose owner accepts tokens in clear. */
  static ClientInterceptor acceptPlaintextTokens() {
    return new ClientInterceptor() {
      @Override
      public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(
          io.grpc.MethodDescriptor<Q, R> method, CallOptions options, io.grpc.Channel next) {
        return next.newCall(method, options.withOption(BearerCredentials.PLAINTEXT_ACCEPTED, true));
      }
    };
  }
}
