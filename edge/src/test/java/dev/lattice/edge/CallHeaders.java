package dev.lattice.edge;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Lets a fixture service read its call's request headers and add response headers and trailers, as
 * a Lattice service does for {@code idempotency-key} and {@code idempotency-replayed}.
 */
final class CallHeaders implements ServerInterceptor {

  private static final Context.Key<Metadata> REQUEST = Context.key("request-headers");
  private static final Context.Key<Metadata> RESPONSE = Context.key("response-headers");
  private static final Context.Key<Metadata> TRAILERS = Context.key("response-trailers");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Metadata responseHeaders = new Metadata();
    Metadata responseTrailers = new Metadata();
    ServerCall<ReqT, RespT> adding =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata sent) {
            sent.merge(responseHeaders);
            super.sendHeaders(sent);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            trailers.merge(responseTrailers);
            super.close(status, trailers);
          }
        };
    Context context =
        Context.current()
            .withValue(REQUEST, headers)
            .withValue(RESPONSE, responseHeaders)
            .withValue(TRAILERS, responseTrailers);
    return Contexts.interceptCall(context, adding, headers, next);
  }

  /** The current call's request header {@code name}, or null. */
  static String request(String name) {
    return REQUEST.get().get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }

  /** Adds a response header to the current call (before its first message). */
  static void addResponseHeader(String name, String value) {
    RESPONSE.get().put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
  }

  /** Adds a response trailer to the current call. */
  static void addResponseTrailer(String name, String value) {
    TRAILERS.get().put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
  }
}
