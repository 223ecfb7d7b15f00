package dev.lattice.platform.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Turns exceptions into what a gRPC caller is allowed to see: a {@code google.rpc.Status} with
 * {@code ErrorInfo} (domain {@value #DOMAIN}), {@code BadRequest} and {@code RetryInfo} details.
 *
 * <ul>
 *   <li>{@link LatticeException}: its code, message, reason, metadata, field violations and retry
 *       delay.
 *   <li>{@link StatusRuntimeException} / {@link StatusException} whose code is neither {@code
 *       UNKNOWN} nor {@code INTERNAL}: passed through untouched (status and trailers), because it
 *       was thrown deliberately.
 *   <li>Anything else (SQL and jOOQ failures, {@code NullPointerException}, {@code UNKNOWN}/{@code
 *       INTERNAL} statuses): {@code INTERNAL} with the fixed message {@value #INTERNAL_MESSAGE},
 *       reason {@value #INTERNAL_REASON} and the trace id as metadata {@value #TRACE_ID_KEY}, so
 *       support can find the server log. Nothing of the original exception is sent.
 * </ul>
 *
 * <p>This class only maps; it does not log. {@link ErrorInterceptor} logs unexpected failures.
 * Stateless and thread-safe.
 */
public final class ErrorMapper {

  /** The {@code ErrorInfo.domain} of every Lattice error. */
  public static final String DOMAIN = "lattice.dev";

  /** The only description an unexpected failure ever shows a caller. */
  public static final String INTERNAL_MESSAGE = "internal error";

  /** The {@code ErrorInfo.reason} of an unexpected failure. */
  public static final String INTERNAL_REASON = "INTERNAL";

  /** Reason of the {@code UNAVAILABLE} answer when the database cannot be reached in time. */
  public static final String DATABASE_UNAVAILABLE_REASON = "DATABASE_UNAVAILABLE";

  private static final Duration DATABASE_RETRY_DELAY = Duration.ofSeconds(1);

  /** The {@code ErrorInfo.metadata} key holding the trace id of an unexpected failure. */
  public static final String TRACE_ID_KEY = "traceId";

  /**
   * The trailer that repeats an error's {@code RetryInfo} delay in whole seconds (rounded up, at
   * least 1); a transcoding edge passes it on as the HTTP {@code Retry-After} header.
   */
  public static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * The trailer that repeats an {@code UNAVAILABLE} error's {@code RetryInfo} delay in milliseconds
   * for gRPC's own retry (gRFC A6 "server pushback"): a client whose service config retries the
   * method waits this long before its next attempt, in every gRPC implementation, with no code of
   * its own. Never sent with another code: grpc-java would retry it regardless of the policy's
   * retryable codes.
   */
  public static final Metadata.Key<String> RETRY_PUSHBACK_MS =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private static final SecureRandom RANDOM = new SecureRandom();

  private ErrorMapper() {}

  /**
   * Maps {@code failure} to the exception a caller may see, using the current trace id for
   * unexpected failures.
   */
  public static StatusRuntimeException toStatusRuntimeException(Throwable failure) {
    return toStatusRuntimeException(failure, currentTraceId());
  }

  /**
   * Maps {@code failure} to the exception a caller may see.
   *
   * @param failure any throwable
   * @param traceId the id put into the metadata of an unexpected failure
   */
  public static StatusRuntimeException toStatusRuntimeException(Throwable failure, String traceId) {
    if (failure instanceof LatticeException e) {
      return StatusProto.toStatusRuntimeException(toRpcStatus(e));
    }
    if (failure instanceof StatusRuntimeException e && isCallerSafe(e.getStatus())) {
      return e;
    }
    if (isDatabaseUnavailable(failure)) {
      return StatusProto.toStatusRuntimeException(
          toRpcStatus(
              new UnavailableException(
                  DATABASE_UNAVAILABLE_REASON,
                  "the service is busy; retry shortly",
                  DATABASE_RETRY_DELAY)));
    }
    if (failure instanceof StatusException e && isCallerSafe(e.getStatus())) {
      Metadata trailers = e.getTrailers();
      return new StatusRuntimeException(
          e.getStatus(), trailers == null ? new Metadata() : trailers);
    }
    return internal(traceId);
  }

  /**
   * True when {@code failure} is shown to callers as it is (so it is an expected outcome, not a bug
   * to log): a {@link LatticeException}, or a status exception whose code is neither {@code
   * UNKNOWN} nor {@code INTERNAL}.
   */
  public static boolean isExpected(Throwable failure) {
    return failure instanceof LatticeException
        || isDatabaseUnavailable(failure)
        || (failure instanceof StatusRuntimeException e && isCallerSafe(e.getStatus()))
        || (failure instanceof StatusException e && isCallerSafe(e.getStatus()));
  }

  /**
   * True when {@code failure} was caused by the database being out of reach for the moment: no
   * pooled connection free within the pool's timeout (HikariCP's {@link
   * SQLTransientConnectionException}), or a connection-class SQLSTATE ({@code 08…}, or {@code
   * 57P01}–{@code 57P03}: the server shutting down or starting). Such a call changed nothing and
   * may be retried, so callers get {@code UNAVAILABLE} with a retry delay, not {@code INTERNAL}.
   */
  public static boolean isDatabaseUnavailable(Throwable failure) {
    return databaseUnavailableCause(failure).isPresent();
  }

  /**
   * When {@code failure} is a database-out-of-reach one ({@link #isDatabaseUnavailable}), the
   * message of the SQL failure that makes it so (HikariCP's "Connection is not available, request
   * timed out after … (total=10, active=10, idle=0, waiting=50)", say), for an operator's log line
   * without a stack trace; empty otherwise.
   */
  public static Optional<String> databaseUnavailableCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return Optional.of(String.valueOf(t.getMessage()));
      }
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[1-3]"))) {
        return Optional.of(String.valueOf(t.getMessage()));
      }
    }
    return Optional.empty();
  }

  /** True unless the status is {@code UNKNOWN} or {@code INTERNAL}, which may carry internals. */
  public static boolean isCallerSafe(Status status) {
    return status.getCode() != Status.Code.UNKNOWN && status.getCode() != Status.Code.INTERNAL;
  }

  /** The sanitized {@code INTERNAL} error naming {@code traceId}. */
  public static StatusRuntimeException internal(String traceId) {
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason(INTERNAL_REASON)
            .setDomain(DOMAIN)
            .putMetadata(TRACE_ID_KEY, traceId)
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INTERNAL.value())
            .setMessage(INTERNAL_MESSAGE)
            .addDetails(Any.pack(info))
            .build());
  }

  /** The {@code google.rpc.Status} for a domain failure, with all its details. */
  public static com.google.rpc.Status toRpcStatus(LatticeException e) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(e.code().value())
            .setMessage(e.getMessage())
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason(e.reason())
                        .setDomain(DOMAIN)
                        .putAllMetadata(e.metadata())
                        .build()));
    if (e instanceof InvalidArgumentException invalid && !invalid.fieldViolations().isEmpty()) {
      BadRequest.Builder badRequest = BadRequest.newBuilder();
      for (FieldViolation v : invalid.fieldViolations()) {
        badRequest.addFieldViolations(
            BadRequest.FieldViolation.newBuilder()
                .setField(v.field())
                .setDescription(v.description()));
      }
      status.addDetails(Any.pack(badRequest.build()));
    }
    e.retryDelay().ifPresent(delay -> status.addDetails(Any.pack(retryInfo(delay))));
    return status.build();
  }

  /**
   * The trace id of the current span, or a fresh random id of the same shape when no span is
   * recording (telemetry off), so an error can still be matched with its log line.
   */
  public static String currentTraceId() {
    SpanContext context = Span.current().getSpanContext();
    if (context.isValid()) {
      return context.getTraceId();
    }
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  /**
   * The {@code RetryInfo} delay of the error {@code status}/{@code trailers} in whole seconds,
   * rounded up and at least 1; empty when the error carries no {@code RetryInfo}.
   */
  public static Optional<Long> retryAfterSeconds(Status status, Metadata trailers) {
    return retryDelay(status, trailers)
        .map(delay -> Math.max(1, delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0)));
  }

  /** The {@code RetryInfo} delay of the error {@code status}/{@code trailers}, if it has one. */
  public static Optional<Duration> retryDelay(Status status, Metadata trailers) {
    com.google.rpc.Status rich = StatusProto.fromStatusAndTrailers(status, trailers);
    if (rich == null) {
      return Optional.empty();
    }
    for (Any detail : rich.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
          return Optional.of(Duration.ofSeconds(delay.getSeconds(), Math.max(0, delay.getNanos())));
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private static RetryInfo retryInfo(Duration delay) {
    return RetryInfo.newBuilder()
        .setRetryDelay(
            com.google.protobuf.Duration.newBuilder()
                .setSeconds(delay.getSeconds())
                .setNanos(delay.getNano()))
        .build();
  }
}
