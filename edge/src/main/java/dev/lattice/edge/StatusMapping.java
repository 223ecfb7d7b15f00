package dev.lattice.edge;

import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status.Code;

/**
 * gRPC status codes and HTTP statuses, both ways.
 *
 * <p>gRPC → HTTP is the table Envoy's gRPC-JSON transcoder uses (and {@code google/rpc/code.proto}
 * documents), so a JSON caller sees the same status from the local edge as from Envoy. HTTP → gRPC
 * names the code of an error the edge makes itself (unknown path, body too large, rate limited).
 */
final class StatusMapping {

  private StatusMapping() {}

  /** The HTTP status a JSON caller sees for a call that ended with {@code code}. */
  static HttpStatus httpStatus(Code code) {
    return HttpStatus.valueOf(
        switch (code) {
          case OK -> 200;
          case CANCELLED -> 499;
          case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
          case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
          case DEADLINE_EXCEEDED -> 504;
          case NOT_FOUND -> 404;
          case ALREADY_EXISTS, ABORTED -> 409;
          case PERMISSION_DENIED -> 403;
          case RESOURCE_EXHAUSTED -> 429;
          case UNIMPLEMENTED -> 501;
          case UNAVAILABLE -> 503;
          case UNAUTHENTICATED -> 401;
        });
  }

  /**
   * The gRPC code of an error the edge answers with {@code status}: 413 is {@code
   * RESOURCE_EXHAUSTED}, as grpc-java reports a message over its size limit.
   */
  static Code grpcCode(HttpStatus status) {
    return switch (status.code()) {
      case 400, 415 -> Code.INVALID_ARGUMENT;
      case 401 -> Code.UNAUTHENTICATED;
      case 403 -> Code.PERMISSION_DENIED;
      case 404, 405 -> Code.NOT_FOUND;
      case 408, 504 -> Code.DEADLINE_EXCEEDED;
      case 409 -> Code.ABORTED;
      case 413, 429 -> Code.RESOURCE_EXHAUSTED;
      case 499 -> Code.CANCELLED;
      case 501 -> Code.UNIMPLEMENTED;
      case 502, 503 -> Code.UNAVAILABLE;
      default -> status.isClientError() ? Code.INVALID_ARGUMENT : Code.INTERNAL;
    };
  }
}
