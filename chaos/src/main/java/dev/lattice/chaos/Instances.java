package dev.lattice.chaos;

import dev.lattice.bench.Mesh;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The service JVMs of {@code ./mesh up --processes --replicas 2}, found as the launcher's children
 * by the {@code LATTICE_GRPC_PORT} of their environment (readable in {@code /proc} as our own
 * user's): nine instances, each on the port the mesh's state file names. Holds no state beyond the
 * names and ports; thread-safe.
 */
final class Instances {

  /** The replicated services, whose copies the faults pick from. */
  static final List<String> REPLICATED = List.of("orders", "inventory", "payments");

  private final long launcherPid;
  private final Map<String, Integer> ports = new LinkedHashMap<>();

  /** The instances of {@code mesh}, with the ports its state file names. */
  Instances(Mesh mesh) {
    this.launcherPid = mesh.pid();
    for (String service :
        List.of("identity", "orders", "inventory", "payments", "notifications", "audit")) {
      for (String instance : copiesOf(service)) {
        ports.put(instance, mesh.port(instance));
      }
    }
  }

  /** Instance name ({@code orders}, {@code orders-2}, ...) to gRPC port, in start order. */
  Map<String, Integer> ports() {
    return ports;
  }

  /** The names of {@code service}'s copies. */
  List<String> copiesOf(String service) {
    return REPLICATED.contains(service) ? List.of(service, service + "-2") : List.of(service);
  }

  /** The addresses of {@code service}'s copies, for a {@code static:///} target. */
  List<String> addresses(String service) {
    return copiesOf(service).stream().map(i -> "127.0.0.1:" + ports.get(i)).toList();
  }

  /** The live JVM serving {@code instance}, if one runs now. */
  Optional<ProcessHandle> process(String instance) {
    String wanted = "LATTICE_GRPC_PORT=" + ports.get(instance);
    Optional<ProcessHandle> launcher = ProcessHandle.of(launcherPid);
    if (launcher.isEmpty()) {
      return Optional.empty();
    }
    for (ProcessHandle child : launcher.get().children().toList()) {
      byte[] environ;
      try {
        environ = Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "environ"));
      } catch (IOException e) {
        continue; // exited meanwhile
      }
      for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
        if (entry.equals(wanted) && child.isAlive()) {
          return Optional.of(child);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether {@code instance} answers its health check with SERVING within two seconds. */
  boolean serving(String instance) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", ports.get(instance)).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }

  /** Whether every instance is SERVING. */
  boolean allServing() {
    return ports.keySet().stream().allMatch(this::serving);
  }

  /**
   * Waits until {@code instance} runs in a JVM other than {@code not} (or any, when null) and
   * answers SERVING.
   *
   * @return false when {@code within} passed first
   */
  boolean awaitBack(String instance, ProcessHandle not, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> now = process(instance);
      if (now.isPresent() && (not == null || now.get().pid() != not.pid()) && serving(instance)) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }
}
