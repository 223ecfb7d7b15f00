package dev.lattice.payments.api;

import dev.lattice.payments.webhooks.WebhookSignature;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Locale;

/**
 * Puts the {@code lattice-signature} metadata of a call into the gRPC {@link Context}, where
 * HandleProviderWebhook reads it (the request message, an HttpBody, carries only the body).
 */
final class WebhookSignatureInterceptor implements ServerInterceptor {

  private static final Metadata.Key<String> HEADER =
      Metadata.Key.of(
          WebhookSignature.HEADER.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> KEY = Context.key("lattice.payments.webhook-signature");

  /** The signature metadata of the current call, or null. */
  static String current() {
    return KEY.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String signature = headers.get(HEADER);
    if (signature == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(KEY, signature), call, headers, next);
  }
}
