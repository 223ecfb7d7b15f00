package dev.lattice.platform.grpc;

import io.grpc.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of a {@link LatticeServer}: start once, collect drain hooks, and drain once, as the
 * server's class comment describes: health turns {@code NOT_SERVING} for good, the server stops
 * accepting, in-flight calls get the drain timeout, the rest are cancelled (their handlers
 * interrupted), then the drain hooks run in reverse registration order. Thread-safe: every step
 * runs under one lock, so a second {@link #shutdown} waits for the first.
 */
final class ServerLifecycle {

  private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);
  // Logs under the server's name, as before the lifecycle had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(LatticeServer.class);

  private final String serviceName;
  private final Server server;
  private final ServerHealth health;
  private final ExecutorService executor;
  private final Duration drainTimeout;
  private final Object lock = new Object();
  private final List<NamedHook> hooks = new ArrayList<>(); // guarded by lock
  private boolean started; // guarded by lock
  private boolean shutDown; // guarded by lock

  ServerLifecycle(
      String serviceName,
      Server server,
      ServerHealth health,
      ExecutorService executor,
      Duration drainTimeout) {
    this.serviceName = serviceName;
    this.server = server;
    this.health = health;
    this.executor = executor;
    this.drainTimeout = drainTimeout;
  }

  /**
   * Starts listening, then turns health on and logs the port.
   *
   * @throws UncheckedIOException if the port cannot be bound
   * @throws IllegalStateException if already started or shut down
   */
  void start() {
    synchronized (lock) {
      if (started || shutDown) {
        throw new IllegalStateException("server already started or shut down");
      }
      try {
        server.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + serviceName + " gRPC server", e);
      }
      started = true;
    }
    health.start();
    log.info("{} gRPC server listening on port {}", serviceName, server.getPort());
  }

  /**
   * Adds a hook to run after the calls, before those added earlier.
   *
   * @throws IllegalStateException if the drain has started
   */
  void onDrain(String name, AutoCloseable hook) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hook, "hook");
    synchronized (lock) {
      if (shutDown) {
        throw new IllegalStateException("server already shut down");
      }
      hooks.add(new NamedHook(name, hook));
    }
  }

  /** Drains; returns when the server has terminated and every hook has run. Idempotent. */
  void shutdown() {
    synchronized (lock) {
      if (shutDown) {
        return;
      }
      shutDown = true;
      health.drain();
      log.info("{} draining: up to {} for in-flight calls", serviceName, drainTimeout);
      server.shutdown();
      boolean interrupted = false;
      boolean drained = false;
      try {
        drained = awaitCalls();
      } catch (InterruptedException e) {
        interrupted = true;
        server.shutdownNow();
      }
      if (drained) {
        executor.shutdown();
      } else {
        // Handlers that ignore cancellation still run: interrupt them (blocking I/O may not
        // notice).
        executor.shutdownNow();
      }
      runHooks();
      log.info("{} gRPC server stopped", serviceName);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits the drain timeout for the calls in flight, then cancels the rest; true if none were. */
  private boolean awaitCalls() throws InterruptedException {
    boolean drained = server.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!drained) {
      log.warn(
          "{} drain timed out after {}; cancelling remaining calls", serviceName, drainTimeout);
      server.shutdownNow();
      server.awaitTermination(CANCEL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
    return drained;
  }

  private void runHooks() {
    for (NamedHook hook : hooks.reversed()) {
      try {
        hook.hook().close();
        log.info("{} drain hook '{}' done", serviceName, hook.name());
      } catch (Exception e) {
        log.error("{} drain hook '{}' failed", serviceName, hook.name(), e);
      }
    }
  }

  private record NamedHook(String name, AutoCloseable hook) {}
}
