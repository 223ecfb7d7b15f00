package dev.lattice.bench;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's connections to one service: several HTTP/2 connections, used in turn, as a backend
 * with many threads would hold them. Calls carry a bearer token and, where the RPC asks for one, an
 * {@code idempotency-key}, as Lattice's own clients send them.
 */
final class Channels implements AutoCloseable {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> FORWARDED_FOR =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  Channels(int port, int connections) {
    for (int i = 0; i < connections; i++) {
      channels.add(
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .maxInboundMessageSize(16 * 1024 * 1024)
              .build());
    }
  }

  /** The next connection in turn. */
  ManagedChannel next() {
    return channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
  }

  /** Connection {@code i} (modulo their number): a client that keeps to one connection. */
  ManagedChannel get(int i) {
    return channels.get(Math.floorMod(i, channels.size()));
  }

  int size() {
    return channels.size();
  }

  /** {@code stub} sending {@code Authorization: Bearer <token>}. */
  static <S extends AbstractStub<S>> S bearer(S stub, String token) {
    return stub.withCallCredentials(new Bearer(token));
  }

  /** {@code stub} sending {@code key} as its idempotency key. */
  static <S extends AbstractStub<S>> S keyed(S stub, String key) {
    Metadata headers = new Metadata();
    headers.put(IDEMPOTENCY_KEY, key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** {@code stub} calling on behalf of the browser at {@code address}, as the edge forwards it. */
  static <S extends AbstractStub<S>> S forwardedFor(S stub, String address) {
    Metadata headers = new Metadata();
    headers.put(FORWARDED_FOR, address);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdown();
    }
    for (ManagedChannel c : channels) {
      if (!c.awaitTermination(10, TimeUnit.SECONDS)) {
        c.shutdownNow();
      }
    }
  }

  private static final class Bearer extends CallCredentials {
    private final Metadata headers = new Metadata();

    Bearer(String token) {
      headers.put(AUTHORIZATION, "Bearer " + token);
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      applier.apply(headers);
    }
  }
}
