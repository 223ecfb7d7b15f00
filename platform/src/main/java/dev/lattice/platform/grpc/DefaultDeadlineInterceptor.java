package dev.lattice.platform.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every outgoing call a deadline: when neither the call options nor the current gRPC context
 * (the deadline of the incoming call being served) carry one, the call gets {@code timeout}. A
 * deadline the caller set, or inherited from the incoming call, is never changed. Stateless and
 * thread-safe.
 */
public final class DefaultDeadlineInterceptor implements ClientInterceptor {

  private final long timeoutNanos;

  /**
   * @param timeout the deadline of calls that have none, positive
   */
  public DefaultDeadlineInterceptor(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (callOptions.getDeadline() == null && Context.current().getDeadline() == null) {
      callOptions = callOptions.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    }
    return next.newCall(method, callOptions);
  }
}
