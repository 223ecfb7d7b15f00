package dev.lattice.mesh;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Asks a service's gRPC health service how it is, over a real loopback channel. */
final class HealthProbe {

  private HealthProbe() {}

  /** The overall status of the server on {@code port}, or a word saying why there is none. */
  static String check(int port, Duration timeout) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      return status.name();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE ? "DOWN" : e.getStatus().getCode().name();
    } finally {
      channel.shutdownNow();
    }
  }

  /** Polls until the server on {@code port} answers SERVING; false when {@code within} passes. */
  static boolean awaitServing(int port, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if ("SERVING".equals(check(port, Duration.ofSeconds(1)))) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
