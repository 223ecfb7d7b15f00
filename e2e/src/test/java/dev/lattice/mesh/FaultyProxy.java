package dev.lattice.mesh;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.lattice.platform.grpc.RawBytesMarshaller;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.HandlerRegistry;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC proxy in front of one service that makes it UNAVAILABLE for the first {@code failures}
 * attempts of every call, as a restarting replica behind a balancer would: each refused attempt
 * gets {@code UNAVAILABLE} with {@code ErrorInfo} reason {@value #REASON}, a {@code RetryInfo} of
 * {@code pushback} and the same delay in {@code grpc-retry-pushback-ms} (what gRPC's own retry
 * honours). The attempt number comes from {@code grpc-previous-rpc-attempts}, the header gRPC's
 * retry sends on every repeated attempt (gRFC A6), so a client that does not retry, or retries
 * without saying so, never gets through. Every other attempt is forwarded byte for byte (unary and
 * streaming alike), headers and trailers included. Counts the attempts it sees per method.
 */
final class FaultyProxy implements AutoCloseable {

  /** The {@code ErrorInfo.reason} of a refused attempt. */
  static final String REASON = "UPSTREAM_RESTARTING";

  private static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final int failures;
  private final java.time.Duration pushback;
  private final ManagedChannel upstream;
  private final Server server;
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

  private FaultyProxy(String upstreamTarget, int failures, java.time.Duration pushback)
      throws IOException {
    this.failures = failures;
    this.pushback = pushback;
    this.upstream =
        Grpc.newChannelBuilder(upstreamTarget, InsecureChannelCredentials.create()).build();
    this.server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .fallbackHandlerRegistry(new Registry())
            .build()
            .start();
  }

  /** A proxy on a free loopback port in front of {@code upstreamTarget} ({@code host:port}). */
  static FaultyProxy start(String upstreamTarget, int failures, java.time.Duration pushback)
      throws IOException {
    return new FaultyProxy(upstreamTarget, failures, pushback);
  }

  /** Where clients reach the proxy, {@code 127.0.0.1:port}. */
  String target() {
    return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
  }

  /**
   * Attempts seen so far of {@code fullMethodName} ({@code
   * lattice.orders.v1.OrdersService/GetOrder}).
   */
  int attempts(String fullMethodName) {
    AtomicInteger count = attempts.get(fullMethodName);
    return count == null ? 0 : count.get();
  }

  /** Forgets the counts, before the next client's run. */
  void resetCounts() {
    attempts.clear();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private final class Registry extends HandlerRegistry {
    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
      MethodDescriptor<byte[], byte[]> method =
          MethodDescriptor.newBuilder(RawBytesMarshaller.INSTANCE, RawBytesMarshaller.INSTANCE)
              .setFullMethodName(methodName)
              .setType(MethodDescriptor.MethodType.UNKNOWN)
              .build();
      return ServerMethodDefinition.create(method, new Handler(method));
    }
  }

  private final class Handler implements ServerCallHandler<byte[], byte[]> {
    private final MethodDescriptor<byte[], byte[]> method;

    Handler(MethodDescriptor<byte[], byte[]> method) {
      this.method = method;
    }

    @Override
    public ServerCall.Listener<byte[]> startCall(
        ServerCall<byte[], byte[]> call, Metadata headers) {
      attempts
          .computeIfAbsent(method.getFullMethodName(), name -> new AtomicInteger())
          .incrementAndGet();
      int previous = parse(headers.get(PREVIOUS_ATTEMPTS));
      if (previous < failures) {
        refuse(call);
        return new ServerCall.Listener<>() {};
      }
      return forward(call, headers);
    }

    private void refuse(ServerCall<byte[], byte[]> call) {
      com.google.rpc.Status status =
          com.google.rpc.Status.newBuilder()
              .setCode(Code.UNAVAILABLE_VALUE)
              .setMessage("the service is restarting; retry")
              .addDetails(
                  Any.pack(
                      ErrorInfo.newBuilder().setReason(REASON).setDomain("lattice.dev").build()))
              .addDetails(
                  Any.pack(
                      RetryInfo.newBuilder()
                          .setRetryDelay(
                              Duration.newBuilder()
                                  .setSeconds(pushback.toSeconds())
                                  .setNanos(pushback.toNanosPart()))
                          .build()))
              .build();
      Metadata trailers = StatusProto.toStatusRuntimeException(status).getTrailers();
      trailers.put(PUSHBACK, Long.toString(pushback.toMillis()));
      call.close(Status.UNAVAILABLE.withDescription(status.getMessage()), trailers);
    }

    private ServerCall.Listener<byte[]> forward(
        ServerCall<byte[], byte[]> serverCall, Metadata headers) {
      // The caller's deadline (the call's context carries it) goes on upstream.
      Deadline deadline = Context.current().getDeadline();
      ClientCall<byte[], byte[]> clientCall =
          upstream.newCall(method, CallOptions.DEFAULT.withDeadline(deadline));
      clientCall.start(
          new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              serverCall.sendHeaders(responseHeaders);
            }

            @Override
            public void onMessage(byte[] message) {
              serverCall.sendMessage(message);
              clientCall.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              serverCall.close(status, trailers);
            }
          },
          headers);
      clientCall.request(1);
      serverCall.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          clientCall.sendMessage(message);
          serverCall.request(1);
        }

        @Override
        public void onHalfClose() {
          clientCall.halfClose();
        }

        @Override
        public void onCancel() {
          clientCall.cancel("the caller cancelled", null);
        }
      };
    }
  }

  private static int parse(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Runs a proxy by hand: {@code FaultyProxy <upstream host:port> [failures] [pushback ms]}. */
  public static void main(String[] args) throws Exception {
    FaultyProxy proxy =
        start(
            args[0],
            args.length > 1 ? Integer.parseInt(args[1]) : 2,
            java.time.Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 200));
    System.out.println("faulty proxy on " + proxy.target() + " in front of " + args[0]);
    Thread.currentThread().join();
  }
}
