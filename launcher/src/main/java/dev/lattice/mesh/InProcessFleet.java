package dev.lattice.mesh;

import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** All six services in the launcher's JVM, each with its own pool, server and port. */
final class InProcessFleet implements ServiceFleet {

  private final List<RunningService> running = new ArrayList<>();

  @Override
  public synchronized void start(String instance, ServiceModule module, Map<String, String> env) {
    running.add(ServiceRuntime.start(module, Env.of(env)));
  }

  /**
   * Drains every service at once — each stops accepting at the same moment and waits only for its
   * own in-flight calls — and returns when all have stopped.
   */
  @Override
  public synchronized void close() {
    List<Thread> drains = new ArrayList<>();
    for (RunningService service : running.reversed()) {
      drains.add(
          Thread.ofPlatform()
              .name("drain-" + service.name())
              .start(
                  () -> {
                    try {
                      service.close();
                    } catch (RuntimeException e) {
                      System.err.printf("mesh: stopping %s: %s%n", service.name(), e.getMessage());
                    }
                  }));
    }
    for (Thread drain : drains) {
      try {
        drain.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    running.clear();
  }
}
