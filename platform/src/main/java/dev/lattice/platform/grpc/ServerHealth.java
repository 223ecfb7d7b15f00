package dev.lattice.platform.grpc;

import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.Objects;

/**
 * The health a {@link LatticeServer} reports: one status for the whole server ({@code ""}) and each
 * application service, all turned together, and the {@link HealthReason} of a {@code NOT_SERVING}
 * answer. Once {@link #drain()} has run it stays {@code NOT_SERVING} ({@value
 * LatticeServer#DRAINING}) whatever is reported later. Thread-safe; no method waits for anything
 * but this object's own short lock, so a dependency monitor may report while the server drains.
 */
final class ServerHealth {

  private final HealthStatusManager manager = new HealthStatusManager();
  private final List<String> names;
  private final Object lock = new Object();
  private boolean started; // guarded by lock
  private volatile boolean draining; // written under lock
  private volatile String notServingReason; // written under lock; null while nothing is wrong

  /** Health for {@code names}: {@code ""} and the application services. */
  ServerHealth(List<String> names) {
    this.names = List.copyOf(names);
  }

  /** {@code grpc.health.v1.Health}, adding the reason trailer to {@code NOT_SERVING} answers. */
  ServerServiceDefinition service() {
    return ServerInterceptors.intercept(
        manager.getHealthService(), new HealthReasonInterceptor(this::reason));
  }

  HealthStatusManager manager() {
    return manager;
  }

  /** Sets one service's status (or the server's, {@code ""}) without a reason. */
  void setServing(String service, boolean serving) {
    manager.setStatus(service, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** The server listens: report SERVING, or NOT_SERVING if marked so before. */
  void start() {
    synchronized (lock) {
      started = true;
      setAll(notServingReason == null ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }
  }

  void markNotServing(String reason) {
    Objects.requireNonNull(reason, "reason");
    synchronized (lock) {
      if (draining) {
        return;
      }
      notServingReason = reason; // before the status, so a NOT_SERVING answer finds its reason
      if (started) {
        setAll(ServingStatus.NOT_SERVING);
      }
    }
  }

  void markServing() {
    synchronized (lock) {
      if (draining) {
        return;
      }
      if (started) {
        setAll(ServingStatus.SERVING);
      }
      notServingReason = null; // after the status, for the same reason
    }
  }

  /** The drain has started: NOT_SERVING from now on; later reports are ignored. */
  void drain() {
    synchronized (lock) {
      draining = true;
      manager.enterTerminalState();
    }
  }

  /** The reason a NOT_SERVING answer gives now, or null. */
  String reason() {
    return draining ? LatticeServer.DRAINING : notServingReason;
  }

  private void setAll(ServingStatus status) {
    names.forEach(name -> manager.setStatus(name, status));
  }
}
