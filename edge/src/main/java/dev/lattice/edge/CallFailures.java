package dev.lattice.edge;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.Status.Code;
import java.util.Map;
import java.util.Set;

/**
 * The statuses a forwarded call ends with when the service did not choose them: the upstream was
 * unreachable, the deadline passed, the transport broke, or the caller named no known service.
 *
 * <p>A service's own error always carries {@code grpc-status-details-bin} (Lattice's error mapper
 * attaches an {@code ErrorInfo} to every error) and passes through untouched. An error without
 * details, of a code grpc-java's client raises itself, is replaced by a fixed message and an {@code
 * ErrorInfo}: grpc-java's descriptions name addresses, timings and exception types, which a caller
 * must not see.
 */
final class CallFailures {

  /** The trailer that carries a {@code google.rpc.Status} with details. */
  static final Metadata.Key<byte[]> DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /** Codes grpc-java's client raises itself (connection, deadline, transport, cancellation). */
  private static final Set<Code> TRANSPORT_CODES =
      Set.of(
          Code.CANCELLED,
          Code.UNKNOWN,
          Code.DEADLINE_EXCEEDED,
          Code.INTERNAL,
          Code.UNAVAILABLE,
          Code.DATA_LOSS);

  private CallFailures() {}

  /** A status and the trailers that go with it. */
  record Outcome(Status status, Metadata trailers) {}

  /**
   * What the caller sees of an upstream call that ended with {@code status} and {@code trailers}
   * (already filtered for the caller).
   */
  static Outcome forCaller(Status status, Metadata trailers, String upstream) {
    if (status.isOk() || trailers.containsKey(DETAILS)) {
      return new Outcome(status, trailers);
    }
    if (status.getCause() == null && !TRANSPORT_CODES.contains(status.getCode())) {
      return new Outcome(status, trailers);
    }
    Code code = status.getCode();
    return switch (code) {
      case UNAVAILABLE ->
          edgeFailure(
              trailers,
              code,
              "the " + upstream + " service is unavailable",
              "UPSTREAM_UNAVAILABLE",
              upstream);
      case DEADLINE_EXCEEDED ->
          edgeFailure(trailers, code, "deadline exceeded", "DEADLINE_EXCEEDED", upstream);
      case CANCELLED -> edgeFailure(trailers, code, "request cancelled", "CANCELLED", upstream);
      default -> edgeFailure(trailers, code, "internal error", "INTERNAL", upstream);
    };
  }

  /** {@code NOT_FOUND} for an operations call naming a service the edge does not know. */
  static Outcome unknownService(String name, Set<String> known) {
    String message =
        name.isEmpty()
            ? "the request names no service; known services: " + String.join(", ", known)
            : "no service named '" + name + "'; known services: " + String.join(", ", known);
    return edgeFailure(new Metadata(), Code.NOT_FOUND, message, "SERVICE_NOT_FOUND", name);
  }

  /** {@code INVALID_ARGUMENT} for a request whose bytes are not the method's message. */
  static Outcome unreadableRequest(String upstream) {
    return edgeFailure(
        new Metadata(),
        Code.INVALID_ARGUMENT,
        "the request is not a valid message of this method",
        "MALFORMED_REQUEST",
        upstream);
  }

  private static Outcome edgeFailure(
      Metadata trailers, Code code, String message, String reason, String service) {
    com.google.rpc.Status details =
        ErrorResponses.status(code, message, reason, Map.of("service", service));
    Metadata out = new Metadata();
    out.merge(trailers);
    out.put(DETAILS, details.toByteArray());
    return new Outcome(Status.fromCode(code).withDescription(message), out);
  }
}
