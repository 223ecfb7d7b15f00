package dev.lattice.edge;

import io.grpc.Metadata;
import java.util.Set;

/**
 * Which headers cross the edge. Everything a caller sends reaches the service as metadata
 * (authorization, idempotency-key, x-request-id, traceparent, tracestate, x-forwarded-for, custom
 * headers), and everything a service answers reaches the caller (idempotency-replayed, retry-after,
 * grpc-status-details-bin, custom headers) — except hop-by-hop headers, which belong to one
 * connection, and the gRPC framing headers, which each side's transport sets for itself.
 */
final class HeaderRules {

  /** Request headers not forwarded: per-connection, or set by the upstream channel itself. */
  private static final Set<String> REQUEST_DROPPED =
      Set.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "expect",
          "http2-settings",
          "te",
          "content-type",
          "content-length",
          "content-encoding",
          "accept-encoding",
          "user-agent",
          "grpc-timeout",
          "grpc-encoding",
          "grpc-accept-encoding",
          "grpc-status",
          "grpc-message");

  /**
   * Response headers and trailers not passed back: per-connection, set by the edge's own server for
   * the caller's protocol, or owned by the edge ({@code x-request-id}).
   */
  private static final Set<String> RESPONSE_DROPPED =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "upgrade",
          "te",
          "content-type",
          "content-length",
          "content-encoding",
          "date",
          "server",
          "grpc-encoding",
          "grpc-accept-encoding",
          "grpc-status",
          "grpc-message",
          "x-request-id");

  private HeaderRules() {}

  /** The metadata to send upstream for a caller's request {@code headers}. */
  static Metadata toUpstream(Metadata headers) {
    return copy(headers, REQUEST_DROPPED);
  }

  /** The metadata to pass back to the caller from an upstream's headers or trailers. */
  static Metadata toCaller(Metadata upstream) {
    return copy(upstream, RESPONSE_DROPPED);
  }

  /** A copy of {@code source} without the keys in {@code dropped} and without pseudo-headers. */
  static Metadata copy(Metadata source, Set<String> dropped) {
    Metadata out = new Metadata();
    for (String name : source.keys()) {
      if (name.startsWith(":") || dropped.contains(name)) {
        continue;
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Metadata.Key<byte[]> key = Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
        for (byte[] value : source.getAll(key)) {
          out.put(key, value);
        }
      } else {
        Metadata.Key<String> key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
        for (String value : source.getAll(key)) {
          out.put(key, value);
        }
      }
    }
    return out;
  }

  /**
   * A copy of {@code source}, for a call that needs its own (grpc-java may change what it sends).
   */
  static Metadata copy(Metadata source) {
    return copy(source, Set.of());
  }

  /** The first value of the text header {@code name}, or null. */
  static String first(Metadata headers, String name) {
    return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }
}
