package dev.lattice.edge;

import dev.lattice.platform.config.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * A local edge in front of real grpc-java upstreams: inventory (products and its operations) and
 * orders (operations only) on free ports; identity, payments, notifications and audit point at a
 * port nobody listens on, so they are "down".
 */
final class EdgeHarness implements AutoCloseable {

  final InventoryFixture inventoryService = new InventoryFixture();
  final Upstream inventory = new Upstream(inventoryService, new OperationsFixture("inventory"));
  final Upstream orders = new Upstream(new OperationsFixture("orders"));
  final String deadTarget = "127.0.0.1:" + freePort();
  final Edge edge;
  final Http http;

  /** An edge with the defaults, except a rate limit high enough for a test run. */
  EdgeHarness() {
    this(Map.of("LATTICE_EDGE_RATE_LIMIT", "100000"));
  }

  /** An edge with the default settings overridden by {@code overrides}. */
  EdgeHarness(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_EDGE_HTTP_PORT", "0");
    env.put("LATTICE_INVENTORY_TARGET", inventory.target());
    env.put("LATTICE_ORDERS_TARGET", orders.target());
    for (String down : new String[] {"IDENTITY", "PAYMENTS", "NOTIFICATIONS", "AUDIT"}) {
      env.put("LATTICE_" + down + "_TARGET", deadTarget);
    }
    env.putAll(overrides);
    edge = Edge.start(EdgeConfig.fromEnv(Env.of(env)));
    http = new Http(edge.baseUrl());
  }

  URI baseUrl() {
    return edge.baseUrl();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    edge.close();
    inventory.close();
    orders.close();
  }
}
