package dev.lattice.platform.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Resets a channel's reconnect backoff when one of its calls ends {@code UNAVAILABLE}. A replica
 * that was down for a minute (restarted in turn) comes back on the same address, and grpc-java's
 * exponential reconnect backoff (up to 2 minutes) would leave its subchannel unused long after it
 * serves again; once the other replicas drain in their turn, every call would fail. After an {@code
 * UNAVAILABLE} the channel instead tries every replica in {@code TRANSIENT_FAILURE} again at once
 * ({@link ManagedChannel#resetConnectBackoff()}), so a retry finds the one that is back.
 * Thread-safe.
 */
final class ReconnectOnUnavailable implements ClientInterceptor {

  private final AtomicReference<ManagedChannel> channel = new AtomicReference<>();

  /** The channel this interceptor is part of, once built. */
  void bind(ManagedChannel built) {
    channel.set(built);
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                ManagedChannel bound = channel.get();
                if (status.getCode() == Status.Code.UNAVAILABLE && bound != null) {
                  bound.resetConnectBackoff();
                }
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }
}
