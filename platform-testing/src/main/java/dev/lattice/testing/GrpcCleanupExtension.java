package dev.lattice.testing;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shuts down gRPC servers and channels a test registered, like grpc-testing's {@code
 * GrpcCleanupRule} for JUnit 5. Use it as a {@code @RegisterExtension} field:
 *
 * <pre>{@code
 * @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();
 * ...
 * Server server = grpc.register(InProcessServerBuilder.forName(name).directExecutor()
 *     .addService(service).build().start());
 * ManagedChannel channel = grpc.register(InProcessChannelBuilder.forName(name).build());
 * }</pre>
 *
 * <p>What a test (or its {@code @BeforeEach}) registers is released after that test. With a static
 * field, what {@code @BeforeAll} registers is released after the class; with an instance field
 * everything is released after each test. Release calls {@code shutdown()} on everything in reverse
 * order of registration, waits for termination within the timeout (10 s by default, shared by all),
 * then {@code shutdownNow()} on what is left, and fails the test if something still does not
 * terminate. Not for concurrent registration from several tests at once.
 */
public final class GrpcCleanupExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private final Duration timeout;
  private final List<Resource> perTest = new ArrayList<>();
  private final List<Resource> perClass = new ArrayList<>();
  private boolean inTest;
  private boolean classLevel; // a static field: JUnit calls the class callbacks

  /** Waits up to 10 s in all for registered resources to terminate. */
  public GrpcCleanupExtension() {
    this(Duration.ofSeconds(10));
  }

  /** Waits up to {@code timeout} in all for registered resources to terminate. */
  public GrpcCleanupExtension(Duration timeout) {
    this.timeout = timeout;
  }

  /** Registers a started server for shutdown; returns it. */
  public synchronized <T extends Server> T register(T server) {
    current().add(new ServerResource(server));
    return server;
  }

  /** Registers a channel for shutdown; returns it. */
  public synchronized <T extends ManagedChannel> T register(T channel) {
    current().add(new ChannelResource(channel));
    return channel;
  }

  private List<Resource> current() {
    return inTest ? perTest : perClass;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    classLevel = true;
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    inTest = true;
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) throws InterruptedException {
    inTest = false;
    release(perTest);
    if (!classLevel) {
      release(perClass); // an instance field never sees afterAll
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) throws InterruptedException {
    release(perClass);
  }

  private void release(List<Resource> resources) throws InterruptedException {
    List<Resource> reversed = new ArrayList<>(resources).reversed();
    resources.clear();
    for (Resource r : reversed) {
      r.shutdown();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Resource> stuck = new ArrayList<>();
    for (Resource r : reversed) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!r.awaitTermination(left)) {
        stuck.add(r);
      }
    }
    List<String> failed = new ArrayList<>();
    for (Resource r : stuck) {
      r.shutdownNow();
      if (!r.awaitTermination(TimeUnit.SECONDS.toNanos(1))) {
        failed.add(r.toString());
      }
    }
    if (!failed.isEmpty()) {
      throw new AssertionError("gRPC resources did not terminate: " + failed);
    }
  }

  private interface Resource {
    void shutdown();

    void shutdownNow();

    boolean awaitTermination(long nanos) throws InterruptedException;
  }

  private record ServerResource(Server server) implements Resource {
    @Override
    public void shutdown() {
      server.shutdown();
    }

    @Override
    public void shutdownNow() {
      server.shutdownNow();
    }

    @Override
    public boolean awaitTermination(long nanos) throws InterruptedException {
      return server.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private record ChannelResource(ManagedChannel channel) implements Resource {
    @Override
    public void shutdown() {
      channel.shutdown();
    }

    @Override
    public void shutdownNow() {
      channel.shutdownNow();
    }

    @Override
    public boolean awaitTermination(long nanos) throws InterruptedException {
      return channel.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
