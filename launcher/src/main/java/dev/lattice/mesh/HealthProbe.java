package dev.lattice.mesh;

import dev.lattice.platform.grpc.HealthReason;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Asks a service's gRPC health service how it is, over a real loopback channel. */
final class HealthProbe {

  /**
   * What a server said about its health.
   *
   * @param status {@code SERVING}, {@code NOT_SERVING}, or a word saying why there is no answer
   *     ({@code DOWN} when nothing listens, else the gRPC status code)
   * @param reason why it is not serving, as the server gave it ({@link HealthReason})
   */
  record Health(String status, Optional<String> reason) {

    boolean serving() {
      return status.equals(ServingStatus.SERVING.name());
    }
  }

  private HealthProbe() {}

  /** The overall health of the server on {@code port}. */
  static Health check(int port, Duration timeout) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      return new Health(status.name(), HealthReason.from(trailers.get()));
    } catch (StatusRuntimeException e) {
      String word =
          e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
              ? "DOWN"
              : e.getStatus().getCode().name();
      return new Health(word, Optional.empty());
    } finally {
      channel.shutdownNow();
    }
  }

  /** Polls until the server on {@code port} answers SERVING; false when {@code within} passes. */
  static boolean awaitServing(int port, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (check(port, Duration.ofSeconds(1)).serving()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
