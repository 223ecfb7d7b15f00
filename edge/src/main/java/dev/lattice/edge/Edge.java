package dev.lattice.edge;

import com.google.protobuf.Descriptors.Descriptor;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.GracefulShutdown;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingOptions;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingQueryParamMatchRule;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local edge, running: one HTTP port that serves every {@code lattice.*} service of the
 * descriptor set as HTTP/JSON (the {@code google.api.http} mapping, through Armeria's transcoder),
 * gRPC-Web (binary and text) and gRPC, and forwards each call to its upstream service. It does what
 * {@code envoy/envoy.yaml} does: CORS, request id, trace context and idempotency key passed on, a
 * deadline on every call, a rate limit, a body cap, and gRPC status → HTTP status with the error
 * details as a JSON body.
 *
 * <p>Start it with {@link #start}; {@link #close} stops accepting requests, lets the calls in
 * flight finish within the drain timeout, then closes the upstream channels. Thread-safe.
 */
public final class Edge implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Edge.class);

  /** Headers a browser may send (the CORS preflight's allow list). */
  static final List<String> CORS_REQUEST_HEADERS =
      List.of(
          "authorization",
          "content-type",
          "idempotency-key",
          "x-request-id",
          "traceparent",
          "tracestate",
          "x-grpc-web",
          "x-user-agent",
          "grpc-timeout",
          "connect-protocol-version",
          ForwardingHandler.SERVICE_HEADER);

  /** Response headers a browser's script may read. */
  static final List<String> CORS_EXPOSED_HEADERS =
      List.of(
          "grpc-status",
          "grpc-message",
          "grpc-status-details-bin",
          "x-request-id",
          "retry-after",
          "idempotency-replayed");

  private final Server server;
  private final Upstreams upstreams;
  private final RequestPolicy policy;
  private final Duration drainTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** How long the stopping server waits for the refusals still being written. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(1);

  private Edge(Server server, Upstreams upstreams, RequestPolicy policy, Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
    this.server = server;
    this.upstreams = upstreams;
    this.policy = policy;
  }

  /**
   * Loads the descriptor set, opens the upstream channels and starts serving.
   *
   * @throws dev.lattice.platform.config.ConfigException if the descriptor set or a target is
   *     unusable
   * @throws java.util.concurrent.CompletionException if the port cannot be bound
   */
  public static Edge start(EdgeConfig config) {
    DescriptorCatalog catalog = DescriptorCatalog.load(config.descriptors());
    Upstreams upstreams = Upstreams.open(catalog.upstreamNames(), config.targets());
    try {
      ErrorResponses errors = new ErrorResponses(catalog.typeRegistry());
      List<ServerServiceDefinition> services =
          ForwardingServices.build(catalog, upstreams, config.timeout());
      GrpcService grpc = grpcService(config, catalog, services, errors);
      RequestPolicy policy = new RequestPolicy(config.timeout(), errors);
      QueryParameterCheck queryCheck = new QueryParameterCheck(grpc, inputTypes(services), errors);
      Server server =
          Server.builder()
              .http(config.httpPort())
              .service(grpc, (HttpService service) -> service.decorate(queryCheck))
              // Decorators run in reverse order of addition: CORS first, then the request policy,
              // then the rate limit, so refused requests still carry CORS headers and a request id.
              .decorator(RateLimit.decorator(config.rateLimit(), errors))
              .decorator(policy)
              .decorator(cors(config))
              .errorHandler(new EdgeErrorHandler(errors, config.maxRequestBytes()))
              .maxRequestLength(config.maxRequestBytes())
              .requestTimeout(config.timeout().plus(RequestPolicy.TIMEOUT_GRACE))
              .accessLogWriter(new AccessLog(), true)
              // close() waits for the forwarded calls itself; by the time the server stops, what is
              // left are refusals (503 DRAINING). Armeria's quiet period would restart with each
              // of them and, under load, never end before its timeout.
              .gracefulShutdown(
                  GracefulShutdown.builder()
                      .quietPeriod(Duration.ZERO)
                      .timeout(STOP_TIMEOUT)
                      .build())
              .disableServerHeader()
              .build();
      try {
        server.start().join();
      } catch (RuntimeException e) {
        server.stop();
        throw e;
      }
      Edge edge = new Edge(server, upstreams, policy, config.drainTimeout());
      log.info(
          "lattice edge on {}: {} gRPC services, upstreams {}",
          edge.baseUrl(),
          services.size(),
          new TreeMap<>(config.targets()));
      return edge;
    } catch (RuntimeException e) {
      upstreams.close(Duration.ZERO);
      throw e;
    }
  }

  private static GrpcService grpcService(
      EdgeConfig config,
      DescriptorCatalog catalog,
      List<ServerServiceDefinition> services,
      ErrorResponses errors) {
    JsonCodec codec = new JsonCodec(catalog.typeRegistry());
    return GrpcService.builder()
        .addServiceDefinitions(services)
        // The transcoder hands each HTTP/JSON call to the framed service as gRPC+JSON.
        .supportedSerializationFormats(
            GrpcSerializationFormats.PROTO,
            GrpcSerializationFormats.PROTO_WEB,
            GrpcSerializationFormats.PROTO_WEB_TEXT,
            GrpcSerializationFormats.JSON)
        .jsonMarshallerFactory(serviceDescriptor -> codec)
        .enableHttpJsonTranscoding(
            HttpJsonTranscodingOptions.builder()
                .queryParamMatchRules(
                    HttpJsonTranscodingQueryParamMatchRule.ORIGINAL_FIELD,
                    HttpJsonTranscodingQueryParamMatchRule.LOWER_CAMEL_CASE,
                    HttpJsonTranscodingQueryParamMatchRule.JSON_NAME)
                .errorHandler(new JsonErrorHandler(errors))
                .build())
        // The deadline is the edge's own (RequestPolicy): a caller may only shorten it.
        .useClientTimeoutHeader(false)
        .maxRequestMessageLength((int) config.maxRequestBytes())
        .build();
  }

  private static Function<? super HttpService, CorsService> cors(EdgeConfig config) {
    return CorsService.builder(CorsOrigins.parse(config.corsOrigins()))
        .allowRequestMethods(
            HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)
        .allowRequestHeaders(CORS_REQUEST_HEADERS)
        .exposeHeaders(CORS_EXPOSED_HEADERS)
        .maxAge(Duration.ofHours(1).toSeconds())
        .newDecorator();
  }

  private static Map<String, Descriptor> inputTypes(List<ServerServiceDefinition> services) {
    Map<String, Descriptor> types = new HashMap<>();
    for (ServerServiceDefinition service : services) {
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        ForwardingServices.MethodSchema schema =
            (ForwardingServices.MethodSchema) method.getMethodDescriptor().getSchemaDescriptor();
        types.put(method.getMethodDescriptor().getFullMethodName(), schema.method().getInputType());
      }
    }
    return types;
  }

  /** The port the edge listens on (the configured one, or the one picked for port 0). */
  public int port() {
    return server.activeLocalPort(SessionProtocol.HTTP);
  }

  /** {@code http://127.0.0.1:<port>}, the base of every JSON path. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /**
   * Stops: new requests are refused with 503, calls in flight may finish within the drain timeout,
   * then the port closes and the upstream channels shut down. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    policy.startDraining();
    try {
      if (!policy.awaitForwardedCalls(drainTimeout)) {
        log.warn("lattice edge: calls still in flight after {}; cutting them off", drainTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop().join();
    upstreams.close(Duration.ofSeconds(5));
    log.info("lattice edge stopped");
  }
}
