package dev.lattice.examples.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * {@link Session#refreshOnExpiry()}: when a call ends with {@code UNAUTHENTICATED}, reason {@code
 * TOKEN_EXPIRED}, before any response, the session's token is marked expired and a unary call is
 * sent once more (its credentials then refresh). Thread-safe.
 */
final class RefreshOnExpiry implements ClientInterceptor {

  private final Session session;

  RefreshOnExpiry(Session session) {
    this.session = session;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new RefreshingCall<>(
        method, options, next, method.getType() == MethodDescriptor.MethodType.UNARY);
  }

  private static boolean isTokenExpired(Status status, Metadata trailers) {
    return status.getCode() == Status.Code.UNAUTHENTICATED
        && LatticeError.of(status, trailers).reason().equals(Session.TOKEN_EXPIRED);
  }

  /**
   * Forwards to one call and, when that call ends with TOKEN_EXPIRED before any response, marks the
   * token expired and, for a unary call, starts a second call with the same headers and request
   * (whose credentials then refresh) and the same call options; when the caller set no deadline,
   * the channel gives the second call its own default one. Methods of the application and of the
   * listener may run on different threads; the state they share is guarded by {@code this}.
   */
  private final class RefreshingCall<Q, R> extends ClientCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final Channel next;
    private boolean replayable;
    private ClientCall<Q, R> call;
    private Listener<R> listener;
    private Metadata headers;
    private Q request;
    private int requested;
    private boolean halfClosed;
    private boolean cancelled;
    private Boolean compression;

    RefreshingCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next, boolean replayable) {
      this.method = method;
      this.options = options;
      this.next = next;
      this.replayable = replayable;
    }

    @Override
    public synchronized void start(Listener<R> listener, Metadata headers) {
      this.listener = listener;
      this.headers = new Metadata();
      this.headers.merge(headers); // the transport adds to the headers it is given
      startAttempt(headers);
    }

    private void startAttempt(Metadata attemptHeaders) {
      long tokenGeneration = session.generation();
      call = next.newCall(method, options);
      ClientCall<Q, R> attempt = call;
      attempt.start(
          new Listener<R>() {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              responded();
              listener.onHeaders(responseHeaders);
            }

            @Override
            public void onMessage(R message) {
              responded();
              listener.onMessage(message);
            }

            @Override
            public void onReady() {
              listener.onReady();
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              if (isTokenExpired(status, trailers)) {
                session.expired(tokenGeneration);
                if (replay()) {
                  return;
                }
              }
              listener.onClose(status, trailers);
            }
          },
          attemptHeaders);
    }

    private synchronized void responded() {
      replayable = false;
    }

    /** Starts the second call, if this one may have one; false when the first call's end stands. */
    private synchronized boolean replay() {
      if (!replayable || cancelled) {
        return false;
      }
      replayable = false;
      Metadata copy = new Metadata();
      copy.merge(headers);
      startAttempt(copy);
      if (compression != null) {
        call.setMessageCompression(compression);
      }
      if (requested > 0) {
        call.request(requested);
      }
      if (request != null) {
        call.sendMessage(request);
      }
      if (halfClosed) {
        call.halfClose();
      }
      return true;
    }

    @Override
    public synchronized void request(int numMessages) {
      requested += numMessages;
      call.request(numMessages);
    }

    @Override
    public synchronized void cancel(String message, Throwable cause) {
      cancelled = true;
      call.cancel(message, cause);
    }

    @Override
    public synchronized void halfClose() {
      halfClosed = true;
      call.halfClose();
    }

    @Override
    public synchronized void sendMessage(Q message) {
      if (replayable) {
        request = message; // a unary call has one request message
      }
      call.sendMessage(message);
    }

    @Override
    public synchronized void setMessageCompression(boolean enabled) {
      compression = enabled;
      call.setMessageCompression(enabled);
    }

    @Override
    public synchronized boolean isReady() {
      return call.isReady();
    }

    @Override
    public synchronized io.grpc.Attributes getAttributes() {
      return call.getAttributes();
    }
  }
}
