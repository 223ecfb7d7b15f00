package dev.lattice.platform.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.function.Supplier;

/**
 * Adds the {@link HealthReason} trailer to every {@code Health/Check} answer that is {@code
 * NOT_SERVING}, with the reason {@code reasons} gives at that moment. {@code Watch} streams pass
 * unchanged: a trailer would only arrive when the stream ends.
 */
final class HealthReasonInterceptor implements ServerInterceptor {

  private final Supplier<String> reasons;

  /** {@code reasons} returns the current reason, or null when there is none; it must not block. */
  HealthReasonInterceptor(Supplier<String> reasons) {
    this.reasons = reasons;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!call.getMethodDescriptor()
        .getFullMethodName()
        .equals(HealthGrpc.getCheckMethod().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          private boolean notServing;

          @Override
          public void sendMessage(RespT message) {
            if (message instanceof HealthCheckResponse response) {
              notServing = response.getStatus() == ServingStatus.NOT_SERVING;
            }
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            String reason = notServing ? reasons.get() : null;
            if (reason != null) {
              trailers.put(HealthReason.KEY, reason);
            }
            super.close(status, trailers);
          }
        },
        headers);
  }
}
