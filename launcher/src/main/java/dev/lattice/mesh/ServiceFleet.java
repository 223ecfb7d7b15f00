package dev.lattice.mesh;

import dev.lattice.platform.runtime.ServiceModule;
import java.util.Map;

/** How the mesh runs its services: all in this JVM, or one child JVM each. */
interface ServiceFleet extends AutoCloseable {

  /**
   * Starts {@code module} with its own environment as {@code instance} (the service's name, or
   * {@code orders-2} for a second replica); returns once it was launched.
   */
  void start(String instance, ServiceModule module, Map<String, String> env) throws Exception;

  /** Drains and stops every started service, last started first. Never throws. */
  @Override
  void close();
}
