package dev.lattice.platform.runtime;

import dev.lattice.platform.db.Database;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.telemetry.Telemetry;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started service: its gRPC server, pool and telemetry. {@link #close()} stops them in reverse
 * start order — the server drains first (in-flight calls finish, then drain hooks run), then the
 * pool closes, then telemetry flushes. Thread-safe; closing twice does nothing more.
 */
public final class RunningService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RunningService.class);

  private final String name;
  private final LatticeServer server;
  private final Database database;
  private final Telemetry telemetry;
  private boolean closed;

  RunningService(String name, LatticeServer server, Database database, Telemetry telemetry) {
    this.name = name;
    this.server = server;
    this.database = database;
    this.telemetry = telemetry;
  }

  public String name() {
    return name;
  }

  /** The port the gRPC server listens on (the real one when started on port 0). */
  public int port() {
    return server.port();
  }

  public LatticeServer server() {
    return server;
  }

  /** jOOQ over the service's database; for tests that check what a call wrote. */
  public DSLContext dsl() {
    return database.dsl();
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    closeQuietly("database", database);
    closeQuietly("telemetry", telemetry);
    log.info("{} stopped", name);
  }

  private void closeQuietly(String what, AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.error("{}: closing {} failed", name, what, e);
    }
  }
}
