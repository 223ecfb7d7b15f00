package dev.lattice.platform.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Closes a service's resources in reverse order of registration when the process is asked to stop:
 * SIGTERM (Kubernetes, {@code docker stop}), SIGINT (Ctrl-C) or any other JVM shutdown.
 *
 * <p>Register in start-up order (telemetry, pool, …, server last); on shutdown the server drains
 * first and telemetry flushes last. Each close is logged; a failing close is logged and the rest
 * still run.
 *
 * <p>On SIGTERM and SIGINT the resources are closed <em>before</em> the JVM begins its own
 * shutdown, and the process then exits with status 0 when every close succeeded, 1 otherwise
 * (instead of the JVM's 143/130), so an orchestrator can tell a clean drain from a failed one. A
 * second signal during the drain is ignored, or, {@linkplain #forceOnSecondSignal() for a person at
 * a terminal}, stops the process at once. Other shutdowns ({@code System.exit}, the end of {@code
 * main}) close the resources from a JVM shutdown hook and keep their exit status.
 *
 * <p>Install one per process (the signal handlers of a later one replace the earlier ones).
 * Thread-safe; {@link #closeAll()} is idempotent and concurrent callers wait for the first.
 */
public final class GracefulShutdown {

  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private final String name;
  private final List<Named> resources = new ArrayList<>();
  private final Object lock = new Object();
  private boolean closed;
  private boolean failed;
  private final AtomicBoolean signalled = new AtomicBoolean();
  private volatile boolean forceOnSecondSignal;

  private GracefulShutdown(String name) {
    this.name = name;
  }

  /**
   * Creates the registry and installs the shutdown hook and the SIGTERM/SIGINT handlers.
   *
   * @param name the service's name, for logs
   */
  public static GracefulShutdown install(String name) {
    GracefulShutdown shutdown = new GracefulShutdown(Objects.requireNonNull(name, "name"));
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform().name(name + "-shutdown").unstarted(shutdown::closeAll));
    shutdown.handle("TERM");
    shutdown.handle("INT");
    return shutdown;
  }

  /**
   * Creates the registry without hooking the process, for tests and embedding; call {@link
   * #closeAll()} yourself.
   */
  public static GracefulShutdown unhooked(String name) {
    return new GracefulShutdown(Objects.requireNonNull(name, "name"));
  }

  /**
   * Makes a second SIGINT or SIGTERM during the drain halt the process at once with status 130,
   * closing nothing more: a person pressing Ctrl-C again wants out now. Child servers must then be
   * stopped by something else (the test servers' watchdogs do that).
   */
  public GracefulShutdown forceOnSecondSignal() {
    forceOnSecondSignal = true;
    return this;
  }

  /**
   * Registers a resource to close on shutdown; returns it for chaining in {@code main}.
   *
   * @throws IllegalStateException if shutdown has already happened
   */
  public <T extends AutoCloseable> T register(String resourceName, T resource) {
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(resource, "resource");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("already shut down");
      }
      resources.add(new Named(resourceName, resource));
    }
    return resource;
  }

  /**
   * Closes every registered resource in reverse order, once.
   *
   * @return true when every close succeeded
   */
  public boolean closeAll() {
    synchronized (lock) {
      if (closed) {
        return !failed;
      }
      closed = true;
      log.info("{} shutting down", name);
      for (Named resource : resources.reversed()) {
        try {
          resource.resource().close();
          log.info("{}: closed {}", name, resource.name());
        } catch (Exception e) {
          failed = true;
          log.error("{}: closing {} failed", name, resource.name(), e);
        }
      }
      log.info("{} shut down {}", name, failed ? "with errors" : "cleanly");
      return !failed;
    }
  }

  private void handle(String signal) {
    try {
      Signal.handle(new Signal(signal), this::onSignal);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // Signal unavailable here (e.g. -Xrs): the shutdown hook still closes everything.
      log.debug("cannot handle SIG{}; relying on the shutdown hook", signal, e);
    }
  }

  private void onSignal(Signal signal) {
    if (!signalled.compareAndSet(false, true)) {
      if (forceOnSecondSignal) {
        log.warn("{}: second SIG{}: stopping now, without draining", name, signal.getName());
        Runtime.getRuntime().halt(130);
      }
      log.info("{}: SIG{} ignored, already shutting down", name, signal.getName());
      return;
    }
    log.info("{}: SIG{} received", name, signal.getName());
    // Not on the signal dispatcher thread: the drain blocks for up to the drain timeout.
    // Non-daemon, so the JVM cannot finish on its own (status 0) before the drain decides.
    Thread.ofPlatform()
        .name(name + "-drain")
        .daemon(false)
        .start(() -> System.exit(closeAll() ? 0 : 1));
  }

  private record Named(String name, AutoCloseable resource) {}
}
