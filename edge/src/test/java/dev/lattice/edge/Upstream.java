package dev.lattice.edge;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real grpc-java server on a free loopback port standing in for a Lattice service, recording the
 * metadata and deadline of every call it receives.
 */
final class Upstream implements AutoCloseable {

  /** A call as the upstream saw it. */
  record Received(String method, Metadata headers, Deadline deadline) {

    String header(String name) {
      return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
  }

  private final Server server;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  Upstream(BindableService... services) {
    ServerInterceptor recorder =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            received.add(
                new Received(
                    call.getMethodDescriptor().getFullMethodName(),
                    headers,
                    Context.current().getDeadline()));
            return next.startCall(call, headers);
          }
        };
    var builder = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create());
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, new CallHeaders(), recorder));
    }
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Every call received so far, oldest first. */
  List<Received> received() {
    return List.copyOf(received);
  }

  /** The last call of {@code method} (simple name, e.g. GetProduct), waiting a little for it. */
  Received last(String method) {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                received.stream()
                    .filter(r -> r.method().endsWith("/" + method))
                    .reduce((a, b) -> b)
                    .orElse(null),
            r -> r != null);
  }

  void clear() {
    received.clear();
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
