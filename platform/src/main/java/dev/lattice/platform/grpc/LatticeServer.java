package dev.lattice.platform.grpc;

import dev.lattice.platform.auth.AccessPolicy;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.idempotency.IdempotencyInterceptor;
import dev.lattice.platform.idempotency.IdempotencyStore;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.validation.ValidationInterceptor;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A gRPC server with everything a Lattice service needs: health, reflection, limits, an executor
 * for blocking handlers, the standard interceptor chain and a graceful drain.
 *
 * <p>Every application service gets, outermost first: telemetry → error mapping → the {@link
 * Caller} record (client address and user agent, {@linkplain Builder#trustedProxies trusted
 * proxies}) → {@linkplain Builder#auth authentication and authorization} when configured → the
 * answer to a request whose bytes do not parse ({@code INVALID_ARGUMENT} {@code REQUEST_MALFORMED},
 * where grpc-java alone answers {@code UNKNOWN}; nothing inside it sees such a request) → the
 * {@linkplain Builder#interceptor extra interceptors} in registration order → validation →
 * {@linkplain Builder#idempotency idempotency keys} when configured → the handler. Idempotency sits
 * after validation so that an invalid request never claims a key. The health and reflection
 * services get no interceptors but the one that adds the reason trailer to health answers.
 *
 * <p>Handlers run on virtual threads (one per call), so they may block on JDBC or downstream calls.
 * Limits: inbound messages up to 4 MiB, inbound metadata up to 16 KiB, TLS/HTTP2 handshake within
 * 10 s, server keepalive pings every 60 s (20 s timeout), clients may ping every 10 s or more, also
 * without calls in flight.
 *
 * <p><b>Health.</b> {@code grpc.health.v1.Health} answers for the whole server ({@code ""}) and for
 * each application service: {@code SERVING} from {@link #start()}, all turned at once by {@link
 * #markNotServing} (a dependency is down; the reason in the {@link HealthReason} trailer) and
 * {@link #markServing}, and {@code NOT_SERVING} for good, reason {@value #DRAINING}, once the drain
 * has started (for a check that still gets in before the server refuses new calls).
 *
 * <p>{@link #shutdown()} drains: health turns {@code NOT_SERVING}, the server stops accepting new
 * calls and connections, in-flight calls get up to the drain timeout (default 20 s) to finish and
 * are then cancelled, their threads interrupted, and finally the {@linkplain #onDrain drain hooks}
 * run in reverse registration order. Thread-safe.
 */
public final class LatticeServer implements AutoCloseable {

  /** Maximum inbound message size, bytes. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** Maximum inbound metadata size, bytes. */
  public static final int MAX_INBOUND_METADATA_BYTES = 16 * 1024;

  /** The default time in-flight calls get to finish on shutdown. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

  /** The {@link HealthReason} of a server whose drain has started. */
  public static final String DRAINING = "draining";

  private final ServerAssembly parts;

  private LatticeServer(ServerAssembly parts) {
    this.parts = parts;
  }

  /**
   * A builder around {@code serverBuilder}: a {@code NettyServerBuilder} in production, an {@code
   * InProcessServerBuilder} or a Netty builder on port 0 in tests.
   *
   * @param serviceName the service's name for logs, such as {@code orders}
   */
  public static Builder builder(String serviceName, ServerBuilder<?> serverBuilder) {
    return new Builder(serviceName, serverBuilder);
  }

  /** A builder for a Netty server on {@code port} of every interface (0 picks a free port). */
  public static Builder netty(String serviceName, int port) {
    return builder(serviceName, NettyServerBuilder.forAddress(new InetSocketAddress(port)));
  }

  /**
   * Starts listening and marks every service (and the server as a whole, {@code ""}) {@code
   * SERVING}, or {@code NOT_SERVING} if {@link #markNotServing} was called before and not undone.
   *
   * @throws UncheckedIOException if the port cannot be bound
   * @throws IllegalStateException if already started or shut down
   */
  public LatticeServer start() {
    parts.lifecycle().start();
    return this;
  }

  /** The bound port (useful with port 0), or -1 for a server without a port (in-process). */
  public int port() {
    return parts.server().getPort();
  }

  /** The health status manager, to report a service {@code NOT_SERVING} while it is degraded. */
  public HealthStatusManager health() {
    return parts.health().manager();
  }

  /**
   * Sets the health of one service, or of the whole server with {@code ""}, without a reason; the
   * next {@link #markServing} or {@link #markNotServing} sets it again with all the others. Ignored
   * once the drain has started.
   */
  public void setServing(String service, boolean serving) {
    parts.health().setServing(service, serving);
  }

  /**
   * Marks the whole server and every service {@code NOT_SERVING}, with {@code reason} as their
   * {@link HealthReason}, until {@link #markServing}. Before {@link #start()} it decides what start
   * reports; once the drain has started it is ignored. Thread-safe; never waits for a drain.
   *
   * @param reason a short phrase for operators ({@code database unreachable}): no SQL, stack trace
   *     or class name, since any caller of the health service sees it
   */
  public void markNotServing(String reason) {
    parts.health().markNotServing(reason);
  }

  /**
   * Undoes {@link #markNotServing}: the server and every service are {@code SERVING} again. Ignored
   * once the drain has started, so a dependency check never revives a draining server.
   */
  public void markServing() {
    parts.health().markServing();
  }

  /**
   * Registers work to do once in-flight calls have finished (flush the outbox relay, close pools).
   * Hooks run in reverse registration order; a failing hook is logged and the others still run.
   *
   * @param name for logs
   * @param hook the work; may throw
   */
  public LatticeServer onDrain(String name, AutoCloseable hook) {
    parts.lifecycle().onDrain(name, hook);
    return this;
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    parts.server().awaitTermination();
  }

  /**
   * Drains and stops the server, as described on the class; returns when the server has terminated
   * and every drain hook has run. Idempotent: later and concurrent calls wait for the first to
   * finish, then return.
   */
  public void shutdown() {
    parts.lifecycle().shutdown();
  }

  /** Same as {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  /** Configures a {@link LatticeServer}; not thread-safe, use once. */
  public static final class Builder {

    private final String serviceName;
    private final ServerBuilder<?> serverBuilder;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private Telemetry telemetry = Telemetry.noop();
    private ValidationInterceptor validation;
    private TokenVerifier verifier;
    private IdempotencyStore idempotency;
    private Set<String> trustedProxies = Set.of();
    // Error details travel packed in Any in every failed call's status.
    private final Set<com.google.protobuf.Descriptors.FileDescriptor> reflectedTypes =
        new java.util.LinkedHashSet<>(
            List.of(dev.lattice.errors.v1.ErrorDetails.getDescriptor().getFile()));

    private Builder(String serviceName, ServerBuilder<?> serverBuilder) {
      this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
      this.serverBuilder = Objects.requireNonNull(serverBuilder, "serverBuilder");
    }

    /** Adds an application service; it gets the interceptor chain and a health entry. */
    public Builder addService(BindableService service) {
      return addService(service.bindService());
    }

    /** Adds an application service; it gets the interceptor chain and a health entry. */
    public Builder addService(ServerServiceDefinition service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * Adds an interceptor between error mapping (and {@linkplain #auth auth}) and validation. Of
     * several, the first registered runs first.
     */
    public Builder interceptor(ServerInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Authenticates and authorizes every call of the application services with an {@link
     * AuthInterceptor}: {@link #build()} reads the {@code (lattice.options.v1.access)} rule of
     * every RPC added (in any order) into an {@link AccessPolicy}. It runs right after error
     * mapping, before the extra interceptors, so they and validation see only authorized calls.
     */
    public Builder auth(TokenVerifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Enforces {@code idempotency-key} on the RPCs declaring {@code
     * (lattice.options.v1.requires_idempotency_key)} with an {@link IdempotencyInterceptor} over
     * {@code store}. It is the innermost interceptor, right after validation, so invalid requests
     * never claim a key. Required when any RPC added declares the option, together with {@link
     * #auth} (keys are scoped by the authenticated caller).
     */
    public Builder idempotency(IdempotencyStore store) {
      this.idempotency = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The proxies (IP addresses) whose {@code x-forwarded-for} names the {@link Caller}'s address;
     * none by default, so the peer address is the client's.
     */
    public Builder trustedProxies(Set<String> proxies) {
      this.trustedProxies = Set.copyOf(proxies);
      return this;
    }

    /**
     * Files whose types answers carry inside {@code google.protobuf.Any} (event payloads, say):
     * server reflection serves them with the services' files, so reflection clients can print those
     * answers. The error details are always served.
     */
    public Builder reflectTypes(Collection<com.google.protobuf.Descriptors.FileDescriptor> files) {
      reflectedTypes.addAll(files);
      return this;
    }

    /** How long in-flight calls get to finish on shutdown; default 20 s. */
    public Builder drainTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative");
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * The telemetry whose server interceptor wraps every call; default {@link Telemetry#noop()}.
     */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Replaces the default protovalidate interceptor, for a custom validator configuration. */
    public Builder validation(ValidationInterceptor validation) {
      this.validation = Objects.requireNonNull(validation, "validation");
      return this;
    }

    /**
     * Builds the server; call {@link LatticeServer#start()} next.
     *
     * @throws IllegalStateException if no service was added; with {@link #auth} if an RPC of a
     *     {@code lattice.*} service declares no valid access rule; if an RPC requires an
     *     idempotency key but {@link #idempotency} or {@link #auth} is not configured, or is not
     *     unary, or is public
     */
    public LatticeServer build() {
      if (services.isEmpty()) {
        throw new IllegalStateException("no service added");
      }
      InterceptorChain chain =
          new InterceptorChain(
              services, interceptors, telemetry, validation, verifier, idempotency, trustedProxies);
      return new LatticeServer(
          ServerAssembly.assemble(serviceName, serverBuilder, chain, reflectedTypes, drainTimeout));
    }
  }
}
