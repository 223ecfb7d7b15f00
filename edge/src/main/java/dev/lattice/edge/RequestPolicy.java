package dev.lattice.edge;

import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Deadline;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * What the edge does to every request before it is routed, as Envoy's connection manager does:
 *
 * <ul>
 *   <li>{@code X-Request-Id}: the caller's, if it is sane (1–128 visible ASCII characters), else a
 *       new UUID; passed upstream and returned on the response;
 *   <li>{@code X-Forwarded-For}: the caller's address appended;
 *   <li>the deadline: the edge's timeout, or a shorter {@code grpc-timeout} from a gRPC caller;
 *       Armeria's own request timeout is set a little later, so the upstream's {@code
 *       DEADLINE_EXCEEDED} is what the caller sees;
 *   <li>while the edge drains, new requests are refused with 503 ({@code UNAVAILABLE}).
 * </ul>
 *
 * <p>JSON responses lose the gRPC framing headers the transcoded call carried. Thread-safe.
 */
final class RequestPolicy implements DecoratingHttpServiceFunction {

  /** How much later than the call's deadline Armeria gives up on the request itself. */
  static final Duration TIMEOUT_GRACE = Duration.ofSeconds(1);

  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

  private final Duration timeout;
  private final ErrorResponses errors;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger forwarding =
      new java.util.concurrent.atomic.AtomicInteger();

  RequestPolicy(Duration timeout, ErrorResponses errors) {
    this.timeout = timeout;
    this.errors = errors;
  }

  /** From now on, new requests are refused. */
  void startDraining() {
    draining.set(true);
  }

  /**
   * Waits until no forwarded call is in flight, at most {@code within}; true when none is. The
   * refusals of a draining edge do not count: they are answered at once.
   */
  boolean awaitForwardedCalls(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (forwarding.get() > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    RequestHeaders headers = req.headers();
    String requestId = headers.get("x-request-id");
    if (requestId == null || !SANE_REQUEST_ID.matcher(requestId).matches()) {
      requestId = UUID.randomUUID().toString();
    }
    ctx.setAttr(EdgeAttributes.REQUEST_ID, requestId);
    ctx.addAdditionalResponseHeader("x-request-id", requestId);
    if (draining.get()) {
      return errors
          .response(
              headers,
              HttpStatus.SERVICE_UNAVAILABLE,
              ErrorResponses.status(
                  Code.UNAVAILABLE, "the edge is shutting down", "DRAINING", Map.of()),
              HttpHeaders.of())
          .toHttpResponse();
    }

    boolean framed = ErrorResponses.isGrpc(headers);
    ctx.setAttr(EdgeAttributes.FRAMED, framed);
    Duration callTimeout = timeout;
    if (framed) {
      Duration asked = GrpcTimeout.parse(headers.get("grpc-timeout")).orElse(timeout);
      if (asked.compareTo(callTimeout) < 0) {
        callTimeout = asked;
      }
    }
    ctx.setAttr(
        EdgeAttributes.DEADLINE, Deadline.after(callTimeout.toNanos(), TimeUnit.NANOSECONDS));
    ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, callTimeout.plus(TIMEOUT_GRACE));

    RequestHeadersBuilder forwarded = headers.toBuilder().set("x-request-id", requestId);
    String peer = ctx.remoteAddress().getAddress().getHostAddress();
    String chain = headers.get("x-forwarded-for");
    forwarded.set("x-forwarded-for", chain == null || chain.isBlank() ? peer : chain + ", " + peer);

    forwarding.incrementAndGet();
    ctx.log().whenComplete().thenRun(forwarding::decrementAndGet);
    HttpResponse response = delegate.serve(ctx, req.withHeaders(forwarded.build()));
    if (framed) {
      return response;
    }
    // A JSON answer has no gRPC framing: drop what the transcoded call carried, and the OK
    // status that a JSON caller reads from the HTTP status (errors keep grpc-status, as Envoy's).
    return response.mapHeaders(
        h -> {
          ResponseHeadersBuilder json =
              h.toBuilder()
                  .removeAndThen("grpc-encoding")
                  .removeAndThen("grpc-accept-encoding")
                  .removeAndThen("grpc-status-details-bin");
          if ("0".equals(h.get("grpc-status"))) {
            json.remove("grpc-status");
          }
          return json.build();
        });
  }
}
