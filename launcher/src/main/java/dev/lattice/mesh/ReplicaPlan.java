package dev.lattice.mesh;

import dev.lattice.platform.grpc.StaticAddresses;
import dev.lattice.platform.runtime.ServiceModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How many copies of each service the mesh runs and where they listen: orders, inventory and
 * payments run {@code replicas} copies each (the others one), replica {@code r} (from 0) on the
 * service's port plus {@code 10 * r}, named {@code orders}, {@code orders-2}, ... Every copy of a
 * service shares its database; a client of a replicated service gets a {@code static:///} target
 * naming every copy, which grpc-java balances with {@code round_robin} ({@link StaticAddresses}).
 * An immutable value, thread-safe.
 */
record ReplicaPlan(int replicas, int portOffset) {

  /** The services that may run more than one copy: stateless apart from their database. */
  static final Set<String> REPLICATED = Set.of("orders", "inventory", "payments");

  /** The most copies of a service: replica ports stay below the next block (9201 and up). */
  static final int MAX_REPLICAS = 9;

  private static final int PORT_STRIDE = 10;

  ReplicaPlan {
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new IllegalArgumentException(
          "--replicas must be between 1 and " + MAX_REPLICAS + ", got " + replicas);
    }
  }

  /** One copy of a service: its name (logs, status), replica index and gRPC port. */
  record Instance(String name, int replica, int port) {}

  /** The copies of {@code module}, the first named as the service. */
  List<Instance> instances(ServiceModule module) {
    int count = REPLICATED.contains(module.name()) ? replicas : 1;
    List<Instance> result = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      result.add(
          new Instance(
              r == 0 ? module.name() : module.name() + "-" + (r + 1),
              r,
              module.defaultPort() + portOffset + PORT_STRIDE * r));
    }
    return result;
  }

  /** The target a client uses for {@code module}: its one address, or all its copies. */
  String target(ServiceModule module) {
    List<String> addresses = instances(module).stream().map(i -> "127.0.0.1:" + i.port()).toList();
    return addresses.size() == 1 ? addresses.getFirst() : StaticAddresses.target(addresses);
  }
}
