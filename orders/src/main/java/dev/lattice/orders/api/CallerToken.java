package dev.lattice.orders.api;

import dev.lattice.platform.auth.AuthInterceptor;
import dev.lattice.platform.errors.UnauthenticatedException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the caller's bearer token in the call's gRPC context, so CreateOrder can forward it to
 * inventory (decision 0008: orders calls BatchGetProducts as the caller). Installed on the orders
 * service itself, inside the platform's chain: by the time it runs, the platform's auth interceptor
 * has verified the token. The token is never logged or stored. Stateless.
 */
final class CallerToken implements ServerInterceptor {

  private static final Context.Key<String> TOKEN = Context.key("lattice-orders-caller-token");
  private static final Pattern BEARER = Pattern.compile("(?i)bearer +(\\S+)");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String authorization = headers.get(AuthInterceptor.AUTHORIZATION);
    if (authorization == null) {
      return next.startCall(call, headers);
    }
    Matcher bearer = BEARER.matcher(authorization.strip());
    if (!bearer.matches()) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        Context.current().withValue(TOKEN, bearer.group(1)), call, headers, next);
  }

  /**
   * The current call's bearer token.
   *
   * @throws UnauthenticatedException TOKEN_MISSING when the call carried none
   */
  static String require() {
    String token = TOKEN.get();
    if (token == null) {
      throw new UnauthenticatedException("TOKEN_MISSING", "an access token is required");
    }
    return token;
  }
}
