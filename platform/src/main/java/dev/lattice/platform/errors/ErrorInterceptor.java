package dev.lattice.platform.errors;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no internal detail of a failure reaches a caller, and that each unexpected failure is
 * logged exactly once.
 *
 * <p>It covers both ways a handler can fail:
 *
 * <ul>
 *   <li>an exception thrown from any listener callback ({@code onMessage}, {@code onHalfClose},
 *       {@code onReady}, … — this is where a unary handler's exceptions surface), and
 *   <li>a status passed to {@code ServerCall.close}, which is where {@code
 *       responseObserver.onError(t)} ends up: a {@link LatticeException} cause is mapped to its
 *       rich status; {@code UNKNOWN} and {@code INTERNAL} statuses are replaced by the sanitized
 *       {@code INTERNAL} error of {@link ErrorMapper}.
 * </ul>
 *
 * <p>Statuses with any other code pass through untouched. Unexpected failures are logged at ERROR
 * with the full method name, the trace id (the one sent to the caller in {@code ErrorInfo}) and the
 * exception. Install it inside the telemetry interceptor, so spans and metrics record the status
 * the caller really got. Stateless and thread-safe.
 */
public final class ErrorInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(ErrorInterceptor.class);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SanitizingCall<ReqT, RespT> sanitizing =
        new SanitizingCall<>(call, Span.current().getSpanContext());
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(sanitizing, headers);
    } catch (RuntimeException e) {
      sanitizing.fail(e);
      return new ServerCall.Listener<>() {};
    }
    return new GuardedListener<>(delegate, sanitizing);
  }

  /** Rewrites the status of {@code close} and guarantees the call is closed at most once. */
  private static final class SanitizingCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private final SpanContext spanContext;
    private final AtomicBoolean closed = new AtomicBoolean();

    SanitizingCall(ServerCall<ReqT, RespT> delegate, SpanContext spanContext) {
      super(delegate);
      this.spanContext = spanContext;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!closed.compareAndSet(false, true)) {
        log.debug("{} already closed; dropping status {}", method(), status.getCode());
        return;
      }
      Throwable cause = status.getCause();
      if (cause instanceof LatticeException domain) {
        StatusRuntimeException mapped = ErrorMapper.toStatusRuntimeException(domain);
        trailers.merge(mapped.getTrailers());
        closeWithRetryAfter(mapped.getStatus(), trailers);
      } else if (!ErrorMapper.isCallerSafe(status)) {
        String traceId = traceId();
        if (cause != null) {
          log.error("{} failed [trace_id={}]", method(), traceId, cause);
        } else {
          log.error(
              "{} closed with {}: {} [trace_id={}]",
              method(),
              status.getCode(),
              status.getDescription(),
              traceId);
        }
        sendInternal(traceId);
      } else {
        closeWithRetryAfter(status, trailers);
      }
    }

    /** Closes the call for an exception thrown by a listener callback. */
    void fail(RuntimeException failure) {
      boolean expected = ErrorMapper.isExpected(failure);
      String traceId = expected ? "" : traceId();
      if (!expected && isCancelled()) {
        // The caller is gone (cancel, deadline, forced shutdown); failures that follow are its
        // consequence, typically writing to a closed stream, not a bug of their own.
        log.warn(
            "{} failed after the call was cancelled [trace_id={}]: {}",
            method(),
            traceId,
            failure.toString());
      } else if (!expected) {
        log.error("{} failed [trace_id={}]", method(), traceId, failure);
      } else if (ErrorMapper.isDatabaseUnavailable(failure)) {
        // Expected (the caller gets UNAVAILABLE and retries), but an operator must see it.
        log.warn(
            "{} answered UNAVAILABLE, the database out of reach: {}", method(), causes(failure));
      }
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      StatusRuntimeException mapped = ErrorMapper.toStatusRuntimeException(failure, traceId);
      Metadata trailers = mapped.getTrailers();
      closeWithRetryAfter(mapped.getStatus(), trailers == null ? new Metadata() : trailers);
    }

    /** Logs an exception from a callback that comes after the call is over. */
    void failAfterCompletion(RuntimeException failure) {
      if (!ErrorMapper.isExpected(failure)) {
        log.error("{} failed after completion [trace_id={}]", method(), traceId(), failure);
      }
    }

    /**
     * Closes with {@code status}, adding a {@code retry-after} trailer (whole seconds, rounded up)
     * when the error carries {@code RetryInfo}, so that HTTP callers behind a transcoding edge
     * (Envoy, the local edge) get the standard {@code Retry-After} header along with the 429/503.
     * An {@code UNAVAILABLE} one also gets the delay in milliseconds as {@code
     * grpc-retry-pushback-ms}, which gRPC clients' service-config retry honours. Only {@code
     * UNAVAILABLE}: the one code clients retry, and grpc-java repeats a call whatever its code once
     * a pushback is present.
     */
    private void closeWithRetryAfter(Status status, Metadata trailers) {
      if (!status.isOk()) {
        ErrorMapper.retryAfterSeconds(status, trailers)
            .ifPresent(seconds -> trailers.put(ErrorMapper.RETRY_AFTER, Long.toString(seconds)));
      }
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        ErrorMapper.retryDelay(status, trailers)
            .ifPresent(
                delay ->
                    trailers.put(ErrorMapper.RETRY_PUSHBACK_MS, Long.toString(delay.toMillis())));
      }
      super.close(status, trailers);
    }

    private void sendInternal(String traceId) {
      StatusRuntimeException internal = ErrorMapper.internal(traceId);
      super.close(internal.getStatus(), internal.getTrailers());
    }

    private String traceId() {
      return spanContext.isValid() ? spanContext.getTraceId() : ErrorMapper.currentTraceId();
    }

    private String method() {
      return getMethodDescriptor().getFullMethodName();
    }
  }

  /** Routes exceptions from every callback to {@link SanitizingCall#fail}. */
  private static final class GuardedListener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

    private final SanitizingCall<ReqT, ?> call;

    GuardedListener(ServerCall.Listener<ReqT> delegate, SanitizingCall<ReqT, ?> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(ReqT message) {
      try {
        super.onMessage(message);
      } catch (RuntimeException e) {
        call.fail(e);
      }
    }

    @Override
    public void onHalfClose() {
      try {
        super.onHalfClose();
      } catch (RuntimeException e) {
        call.fail(e);
      }
    }

    @Override
    public void onReady() {
      try {
        super.onReady();
      } catch (RuntimeException e) {
        call.fail(e);
      }
    }

    @Override
    public void onCancel() {
      try {
        super.onCancel();
      } catch (RuntimeException e) {
        call.failAfterCompletion(e);
      }
    }

    @Override
    public void onComplete() {
      try {
        super.onComplete();
      } catch (RuntimeException e) {
        call.failAfterCompletion(e);
      }
    }
  }

  /** The messages of {@code failure} and its causes, without stack traces. */
  private static String causes(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      text.append(text.isEmpty() ? "" : " <- ").append(t);
    }
    return text.toString();
  }
}
