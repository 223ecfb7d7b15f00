package dev.lattice.platform.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.Set;

/**
 * Replays, once, an idempotent unary call whose answer was cut off with {@code UNAVAILABLE} after
 * the server had begun it, or whose connection was lost under it ({@code UNKNOWN "channel closed"}
 * from the transport, below).
 *
 * <p>grpc-java's own retry (the service config's {@code retryPolicy}) commits a call as soon as its
 * response headers arrive (gRFC A6), and a committed call is never retried. A unary answer leaves
 * the server as up to three writes (headers, message, trailers); grpc-java flushes the headers on
 * their own. A replica killed with SIGKILL between those writes leaves the client with headers and
 * a reset connection: {@code UNAVAILABLE} on a call that its contract declares safe to repeat, and
 * that the retry policy therefore promised to retry. This interceptor closes that gap for unary
 * methods declared idempotent: it holds the answer (headers and message) until the call closes, and
 * when it closes {@code UNAVAILABLE} after headers had arrived, it sends the same request once more
 * as a new call on the same channel, under the same deadline and through the same retry policy. The
 * caller sees only the last attempt's answer.
 *
 * <p>A call that failed before its headers is not replayed for {@code UNAVAILABLE}: grpc-java's
 * retry has already had it. One transport failure escapes that retry: a connection found closed
 * while the call's own frames were being written (its stream already numbered, so not the
 * transparent retry's) ends the call {@code UNKNOWN "channel closed"}, with the local {@link
 * ClosedChannelException} as its cause, and {@code UNKNOWN} is no retryable code (a server's {@code
 * UNKNOWN} is an unhandled error, not to be repeated). That one, which no server sent (a status
 * from the wire carries no cause), is replayed once too: the connection was lost under a call whose
 * method is safe to repeat.
 *
 * <p>Thread-safety: the {@link ClientCall} methods follow grpc-java's rules (one caller at a time);
 * the state a replay reads is guarded, since the replay runs on the call's executor.
 */
final class ReplayCutOffCalls implements ClientInterceptor {

  private final Set<String> idempotent;

  /**
   * @param idempotent fully-qualified methods and services declared idempotent, as {@link
   *     Channels.Builder#idempotent} takes them
   */
  ReplayCutOffCalls(Set<String> idempotent) {
    this.idempotent = Set.copyOf(idempotent);
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    boolean covered =
        idempotent.contains(method.getFullMethodName())
            || idempotent.contains(method.getServiceName());
    if (method.getType() != MethodDescriptor.MethodType.UNARY || !covered) {
      return next.newCall(method, options);
    }
    return new ReplayingCall<>(method, options, next);
  }

  private static final class ReplayingCall<Q, R> extends ClientCall<Q, R> {

    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final Channel next;
    private final Object lock = new Object();

    // Guarded by lock.
    private ClientCall<Q, R> attempt;
    private Listener<R> listener;
    private Metadata requestHeaders;
    private Q request;
    private int requested;
    private boolean halfClosed;
    private boolean cancelled;
    private String cancelMessage;
    private Throwable cancelCause;
    private boolean replayed;
    private boolean replayStarting;

    ReplayingCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      this.method = method;
      this.options = options;
      this.next = next;
    }

    @Override
    public void start(Listener<R> responseListener, Metadata headers) {
      ClientCall<Q, R> first = next.newCall(method, options);
      synchronized (lock) {
        listener = Objects.requireNonNull(responseListener, "responseListener");
        requestHeaders = copy(headers);
        attempt = first;
      }
      first.start(new AttemptListener(first), headers);
    }

    @Override
    public void request(int numMessages) {
      ClientCall<Q, R> current;
      synchronized (lock) {
        requested += numMessages;
        current = attempt;
      }
      current.request(numMessages);
    }

    @Override
    public void sendMessage(Q message) {
      ClientCall<Q, R> current;
      synchronized (lock) {
        request = message;
        current = attempt;
      }
      current.sendMessage(message);
    }

    @Override
    public void halfClose() {
      ClientCall<Q, R> current;
      synchronized (lock) {
        halfClosed = true;
        current = attempt;
      }
      current.halfClose();
    }

    @Override
    public void cancel(String message, Throwable cause) {
      ClientCall<Q, R> current;
      synchronized (lock) {
        cancelled = true;
        cancelMessage = message;
        cancelCause = cause;
        // A replay being started is cancelled by its starter once started (not before).
        current = replayStarting ? null : attempt;
      }
      if (current != null) {
        current.cancel(message, cause);
      }
    }

    @Override
    public boolean isReady() {
      return current().isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      current().setMessageCompression(enabled);
    }

    @Override
    public io.grpc.Attributes getAttributes() {
      return current().getAttributes();
    }

    private ClientCall<Q, R> current() {
      synchronized (lock) {
        return attempt;
      }
    }

    /** Starts the replay if {@code closed} (ending with {@code status}) qualifies; under lock. */
    private ClientCall<Q, R> replayOf(ClientCall<Q, R> closed, Status status, boolean headers) {
      boolean qualifies =
          ((headers && status.getCode() == Status.Code.UNAVAILABLE) || connectionLost(status))
              && closed == attempt
              && !replayed
              && !cancelled
              && halfClosed
              && request != null
              && (options.getDeadline() == null || !options.getDeadline().isExpired());
      if (!qualifies) {
        return null;
      }
      replayed = true;
      replayStarting = true;
      attempt = next.newCall(method, options);
      return attempt;
    }

    /** One attempt's answer, held until it closes. Callbacks arrive serialized. */
    private final class AttemptListener extends Listener<R> {

      private final ClientCall<Q, R> call;
      private Metadata headers;
      private R message;

      AttemptListener(ClientCall<Q, R> call) {
        this.call = call;
      }

      @Override
      public void onHeaders(Metadata responseHeaders) {
        headers = responseHeaders;
      }

      @Override
      public void onMessage(R responseMessage) {
        message = responseMessage;
      }

      @Override
      public void onReady() {
        Listener<R> target;
        synchronized (lock) {
          target = call == attempt ? listener : null;
        }
        if (target != null) {
          target.onReady();
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        ClientCall<Q, R> replay;
        Listener<R> target;
        Metadata replayHeaders;
        Q replayRequest;
        int replayRequested;
        synchronized (lock) {
          replay = replayOf(call, status, headers != null);
          target = listener;
          replayHeaders = copy(requestHeaders);
          replayRequest = request;
          replayRequested = requested;
        }
        if (replay != null) {
          replay.start(new AttemptListener(replay), replayHeaders);
          replay.request(replayRequested);
          replay.sendMessage(replayRequest);
          replay.halfClose();
          boolean cancelNow;
          String why;
          Throwable cause;
          synchronized (lock) {
            replayStarting = false;
            cancelNow = cancelled;
            why = cancelMessage;
            cause = cancelCause;
          }
          if (cancelNow) {
            replay.cancel(why, cause);
          }
          return;
        }
        if (headers != null) {
          target.onHeaders(headers);
        }
        if (message != null) {
          target.onMessage(message);
        }
        target.onClose(status, trailers);
      }
    }
  }

  /**
   * Whether {@code status} is grpc-netty's report of a connection found closed under the call
   * ({@code UNKNOWN "channel closed"}, caused by a {@link ClosedChannelException}), not a server's
   * answer.
   */
  private static boolean connectionLost(Status status) {
    return status.getCode() == Status.Code.UNKNOWN
        && status.getCause() instanceof ClosedChannelException;
  }

  private static Metadata copy(Metadata headers) {
    Metadata copy = new Metadata();
    copy.merge(headers);
    return copy;
  }
}
