package dev.lattice.edge;

import io.grpc.Deadline;
import io.netty.util.AttributeKey;

/**
 * What the edge's outer decorator ({@link RequestPolicy}) learns about a request and the forwarding
 * layer reads: set on the request's {@code ServiceRequestContext} before any service code runs.
 */
final class EdgeAttributes {

  /** The request id: the caller's {@code X-Request-Id}, or one the edge generated. */
  static final AttributeKey<String> REQUEST_ID =
      AttributeKey.valueOf(EdgeAttributes.class, "REQUEST_ID");

  /** When the forwarded call must end: the edge's timeout, or a shorter {@code grpc-timeout}. */
  static final AttributeKey<Deadline> DEADLINE =
      AttributeKey.valueOf(EdgeAttributes.class, "DEADLINE");

  /** True for gRPC and gRPC-Web requests, false for HTTP/JSON ones. */
  static final AttributeKey<Boolean> FRAMED = AttributeKey.valueOf(EdgeAttributes.class, "FRAMED");

  /** The gRPC status code a forwarded call ended with, for the access log. */
  static final AttributeKey<Integer> GRPC_STATUS =
      AttributeKey.valueOf(EdgeAttributes.class, "GRPC_STATUS");

  private EdgeAttributes() {}
}
