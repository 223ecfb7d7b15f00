package dev.lattice.bench;

import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.operations.v1.ConsumerState;
import dev.lattice.operations.v1.GetReadModelStatusRequest;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.PauseConsumersRequest;
import dev.lattice.operations.v1.PauseConsumersResponse;
import dev.lattice.operations.v1.ReadModelStatus;
import dev.lattice.operations.v1.ResumeConsumersRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pauses the event consumers of every service through the operator contract ({@code
 * OperationsService.PauseConsumers}, as the platform's administrator), so a figure can be taken of
 * CreateOrder alone while JetStream keeps every event for later; and reads a read model's freshness
 * through the same contract ({@code GetReadModelStatus}).
 */
final class ConsumerSwitch {

  private static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications", "audit");

  private final Mesh mesh;

  ConsumerSwitch(Mesh mesh) {
    this.mesh = mesh;
  }

  /** Pauses every consumer of every service; returns how many are paused or pausing. */
  int pauseAll() throws InterruptedException {
    String token = adminToken();
    int paused = 0;
    for (String service : SERVICES) {
      ManagedChannel channel = channel(mesh.port(service));
      try {
        PauseConsumersResponse answer =
            Channels.bearer(OperationsServiceGrpc.newBlockingStub(channel), token)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .pauseConsumers(PauseConsumersRequest.getDefaultInstance());
        paused +=
            (int)
                answer.getConsumersList().stream()
                    .filter(c -> c.getState() != ConsumerState.CONSUMER_STATE_RUNNING)
                    .count();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    System.out.printf("bench: %d consumers paused in six services%n", paused);
    return paused;
  }

  /** Resumes {@code consumers} of {@code service} (after {@link #pauseAll}). */
  void resume(String service, List<String> consumers) throws InterruptedException {
    String token = adminToken();
    ManagedChannel channel = channel(mesh.port(service));
    try {
      for (String consumer : consumers) {
        Channels.bearer(OperationsServiceGrpc.newBlockingStub(channel), token)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .resumeConsumers(ResumeConsumersRequest.newBuilder().setConsumer(consumer).build());
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.out.printf("bench: %s resumed in %s%n", consumers, service);
  }

  /**
   * The status of {@code service}'s read model {@code name} ({@code
   * OperationsService.GetReadModelStatus}), or null when the service reports none by that name.
   */
  ReadModelStatus readModel(String service, String name) throws InterruptedException {
    String token = adminToken();
    ManagedChannel channel = channel(mesh.port(service));
    try {
      return Channels.bearer(OperationsServiceGrpc.newBlockingStub(channel), token)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .getReadModelStatus(GetReadModelStatusRequest.getDefaultInstance())
          .getReadModelsList()
          .stream()
          .filter(m -> m.getName().equals(name))
          .findFirst()
          .orElse(null);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private String adminToken() throws InterruptedException {
    ManagedChannel identity = channel(mesh.port("identity"));
    try {
      return IdentityServiceGrpc.newBlockingStub(identity)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .login(
              LoginRequest.newBuilder()
                  .setTenantSlug("platform")
                  .setEmail(mesh.adminEmail())
                  .setPassword(mesh.adminPassword())
                  .build())
          .getAccessToken();
    } finally {
      identity.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }
}
