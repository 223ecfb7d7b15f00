package dev.lattice.edge;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ShuttingDownException;
import com.linecorp.armeria.server.HttpResponseException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status.Code;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the edge answers itself — no route (404), malformed request (400), body too large
 * (413), shutting down (503), an unexpected failure (500) — as a {@code google.rpc.Status} with an
 * {@code ErrorInfo}: JSON for JSON callers, gRPC status trailers for gRPC callers. Armeria would
 * answer these as plain text. A failure's exception is logged, never shown.
 */
final class EdgeErrorHandler implements ServerErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(EdgeErrorHandler.class);

  private final ErrorResponses errors;
  private final long maxRequestBytes;

  EdgeErrorHandler(ErrorResponses errors, long maxRequestBytes) {
    this.errors = errors;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public @Nullable HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    if (cause instanceof HttpResponseException) {
      // Null defers to Armeria, which sends the response this exception already carries.
      return null;
    }
    HttpStatus status;
    Throwable reason = cause;
    if (cause instanceof HttpStatusException statusException) {
      status = statusException.httpStatus();
      reason = statusException.getCause();
    } else if (cause instanceof ContentTooLargeException) {
      status = HttpStatus.REQUEST_ENTITY_TOO_LARGE;
    } else if (cause instanceof RequestTimeoutException) {
      status = HttpStatus.GATEWAY_TIMEOUT;
    } else if (cause instanceof ShuttingDownException) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
    } else {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
    }
    return render(ctx.request().headers(), status, reason).toHttpResponse();
  }

  @Override
  public @Nullable AggregatedHttpResponse renderStatus(
      @Nullable ServiceRequestContext ctx,
      ServiceConfig config,
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    if (status.isSuccess() || status.isInformational() || status.isRedirection()) {
      return null;
    }
    return render(headers, status, cause);
  }

  private AggregatedHttpResponse render(
      @Nullable RequestHeaders request, HttpStatus status, @Nullable Throwable cause) {
    String route = request == null ? "" : request.method() + " " + pathOf(request);
    boolean grpc = ErrorResponses.isGrpc(request);
    com.google.rpc.Status body =
        switch (status.code()) {
          case 400 -> badRequest(cause);
          case 404, 405 ->
              grpc
                  ? edge(Code.UNIMPLEMENTED, "no such method: " + route, "ROUTE_NOT_FOUND", route)
                  : edge(
                      Code.NOT_FOUND, "no method is mapped to " + route, "ROUTE_NOT_FOUND", route);
          case 413 ->
              edge(
                  Code.RESOURCE_EXHAUSTED,
                  "the request body is larger than " + maxRequestBytes + " bytes",
                  "REQUEST_TOO_LARGE",
                  route);
          case 415 ->
              edge(Code.INVALID_ARGUMENT, "unsupported content type", "MALFORMED_REQUEST", route);
          case 503 -> edge(Code.UNAVAILABLE, "the edge is shutting down", "DRAINING", route);
          case 408, 504 ->
              edge(Code.DEADLINE_EXCEEDED, "deadline exceeded", "DEADLINE_EXCEEDED", route);
          case 500 -> internal(cause, route);
          default ->
              edge(
                  StatusMapping.grpcCode(status),
                  status.reasonPhrase(),
                  "HTTP_" + status.code(),
                  route);
        };
    HttpStatus shown = status.code() == 405 ? HttpStatus.NOT_FOUND : status;
    return errors.response(request, shown, body, HttpHeaders.of());
  }

  private static com.google.rpc.Status badRequest(@Nullable Throwable cause) {
    String message = cause == null ? null : cause.getMessage();
    if (message != null && message.startsWith("Failed to parse JSON")) {
      return ErrorResponses.status(
          Code.INVALID_ARGUMENT, "malformed JSON request body", "MALFORMED_REQUEST", Map.of());
    }
    return ErrorResponses.status(
        Code.INVALID_ARGUMENT,
        "invalid request: " + ErrorResponses.safeMessage(message, "it cannot be read"),
        "MALFORMED_REQUEST",
        Map.of());
  }

  private static com.google.rpc.Status internal(@Nullable Throwable cause, String route) {
    if (cause != null) {
      log.error("unexpected failure serving {}", route, cause);
    }
    return edge(Code.INTERNAL, "internal error", "INTERNAL", route);
  }

  private static com.google.rpc.Status edge(
      Code code, String message, String reason, String route) {
    return ErrorResponses.status(
        code, message, reason, route.isEmpty() ? Map.of() : Map.of("route", route));
  }

  private static String pathOf(RequestHeaders request) {
    String path = request.path();
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }
}
